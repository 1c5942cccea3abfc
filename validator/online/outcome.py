"""What checking one URL found: the raw outcome, before any rule interprets it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

Kind = Literal["link", "image"]
# answered: an HTTP status ended the chain; failed: the transport failed (timeout, TLS,
# too many redirects); network: the network itself failed (DNS, refused, no route, connect
# timeout); skipped: never asked, or stopped on purpose (guard, deny list, Retry-After too long,
# run timeout, a redirect to another scheme).
State = Literal["answered", "failed", "network", "skipped"]

_TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    url: str
    state: State
    status: int | None = None
    reason: str = ""  # the HTTP reason phrase, or what went wrong
    error: str = ""  # a short kind: timeout, redirects, loop, tls, guard, policy, scheme, ...
    method: str = ""  # of the last request: HEAD or GET
    final_url: str | None = None
    redirects: tuple[str, ...] = ()  # every URL redirected to, in order
    attempts: int = 0
    retry_after: float | None = None  # seconds, when the last answer carried Retry-After
    content_type: str | None = None
    body_truncated: bool = False  # images: the body went on past the bytes read
    bytes_read: int = 0
    width: int | None = None  # images: the size as displayed (EXIF orientation applied)
    height: int | None = None
    orientation: int | None = None
    image_format: str | None = None
    host: str = ""  # host:port the outcome is about (network failures are grouped by it)
    cached_at: float | None = None  # epoch seconds, when served from the cache

    @property
    def cacheable(self) -> bool:
        """Only definite answers are cached; refusals and transient failures are redone."""
        if self.state == "failed":
            return self.error in ("redirects", "loop")
        if self.state != "answered" or self.status is None:
            return False
        if self.status in _TRANSIENT_STATUSES:
            return False
        return not (self.kind == "image" and 200 <= self.status < 300 and self.width is None)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["redirects"] = list(self.redirects)
        data.pop("cached_at")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], cached_at: float) -> Outcome:
        names = {f.name for f in dataclasses.fields(cls)}
        values = {key: value for key, value in data.items() if key in names}
        values["redirects"] = tuple(values.get("redirects") or ())
        values["cached_at"] = cached_at
        return cls(**values)


def when(outcome: Outcome) -> str:
    """' (cached result from <time>)' for an outcome served from the cache, else ''."""
    if outcome.cached_at is None:
        return ""
    moment = datetime.fromtimestamp(outcome.cached_at, tz=timezone.utc)
    return f" (cached result from {moment:%Y-%m-%d %H:%M} UTC)"


def with_image_size(outcome: Outcome, size: Any) -> Outcome:
    """The outcome with the image's measured size (an images.ImageSize), or unchanged."""
    if size is None:
        return outcome
    return dataclasses.replace(
        outcome,
        width=size.width,
        height=size.height,
        orientation=size.orientation,
        image_format=size.format,
    )

"""Online checks (opt-in, `--online`): do the links resolve, are the images the size declared.

These rules never reach the network themselves: the run's one online pass
(validator.online.run) checks every URL once, bounded, cached and behind the SSRF guard, and
these rules interpret its outcomes. A URL that could not be checked is reported by
link/not-evaluated, never counted as passed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from rules.link import split_url
from validator.findings import Severity
from validator.rule import CheckContext, CorpusProblem, CorpusRule, RuleOptions
from validator.summary import RecordSummary

if TYPE_CHECKING:  # validator.online is imported only when --online runs
    from validator.online.outcome import Outcome
    from validator.online.run import PassResult, Use
    from validator.online.settings import OnlineSettings

DANGLING = "link/dangling"
UNREACHABLE = "link/unreachable"
SOFT_404 = "link/soft-404"
NOT_EVALUATED = "link/not-evaluated"
IMAGE_MISMATCH = "image/dimension-mismatch"
IMAGE_UNREACHABLE = "image/unreachable"

_LIVE_STATUSES = frozenset({300, 304, 416})  # 416: a ranged GET of an empty resource
_HOME_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.php", "/home"})
_NOT_IMAGE_TYPES = ("text/", "application/json", "application/xml", "application/xhtml")


def _accepted(outcome: Outcome, accept: Sequence[int]) -> bool:
    status = outcome.status or 0
    return 200 <= status < 300 or status in _LIVE_STATUSES or status in accept


def _refused(outcome: Outcome) -> bool:
    """429, or 503 with Retry-After: the server asked to be left alone, said nothing else."""
    return outcome.status == 429 or (outcome.status == 503 and outcome.retry_after is not None)


def _is_home(url: str | None) -> bool:
    parts = split_url(url) if url else None
    return parts is not None and not parts.query and parts.path.lower() in _HOME_PATHS


def _via(outcome: Outcome) -> str:
    hops = len(outcome.redirects)
    if not hops:
        return ""
    return f" after {hops} redirect{'s' if hops != 1 else ''} (to {outcome.final_url})"


def _attempts(outcome: Outcome) -> str:
    return f" after {outcome.attempts} attempts" if outcome.attempts > 1 else ""


def _answer(outcome: Outcome) -> str:
    reason = f" {outcome.reason}" if outcome.reason else ""
    return f"{outcome.method} answered {outcome.status}{reason}"


def _refusal_text(outcome: Outcome, settings: OnlineSettings) -> str:
    asked = outcome.retry_after
    if asked is not None and asked > settings.config.max_retry_after:
        return (
            f"{_answer(outcome)} and asked to retry after {asked:g} s, more than "
            f"max-retry-after ({settings.config.max_retry_after:g} s)"
        )
    honoured = f" (Retry-After {asked:g} s honoured)" if asked is not None else ""
    return f"{_answer(outcome)}{_attempts(outcome)}{honoured}"


def link_verdict(
    outcome: Outcome, result: PassResult, settings: OnlineSettings
) -> tuple[str, str] | None:
    """(rule slug, message) for a link's outcome; None when the link is fine or the outcome
    belongs to a run-wide notice (network unreachable, run timeout)."""
    from validator.online.outcome import when

    cached = when(outcome)
    if outcome.state == "skipped":
        if outcome.error == "run-timeout":
            return None
        return NOT_EVALUATED, f"link not evaluated: {outcome.reason}{cached}"
    if outcome.state == "network" and result.network_down:
        return None
    if outcome.state in ("network", "failed"):
        return UNREACHABLE, (
            f"link is unreachable: {outcome.reason}{_attempts(outcome)}{_via(outcome)}{cached}"
        )
    if _accepted(outcome, settings.config.accept_status):
        if outcome.redirects and _is_home(outcome.final_url) and not _is_home(outcome.url):
            return SOFT_404, (
                f"link redirects to the site's home page {outcome.final_url}: the page was "
                f"probably removed (a 'soft 404'){cached}"
            )
        return None
    if _refused(outcome):
        return NOT_EVALUATED, (
            f"link not evaluated: the server refused to answer: "
            f"{_refusal_text(outcome, settings)}{_via(outcome)}{cached}"
        )
    if outcome.status in (404, 410):
        gone = "gone" if outcome.status == 410 else "not found"
        return DANGLING, f"link is dead ({gone}): {_answer(outcome)}{_via(outcome)}{cached}"
    return UNREACHABLE, (
        f"link is unreachable: {_answer(outcome)}{_attempts(outcome)}{_via(outcome)}{cached}"
    )


def _differs(real: int, declared: int, tolerance: float) -> bool:
    return abs(real - declared) > tolerance * max(real, declared)


def image_verdict(
    use: Use, outcome: Outcome, result: PassResult, settings: OnlineSettings, tolerance: float
) -> tuple[str, str, str] | None:
    """(rule slug, message, pointer) for an image's outcome, or None."""
    from validator.online.outcome import when

    cached = when(outcome)
    url_pointer = f"{use.pointer}/url"
    if outcome.state == "skipped":
        if outcome.error == "run-timeout":
            return None
        return NOT_EVALUATED, f"image not evaluated: {outcome.reason}{cached}", url_pointer
    if outcome.state == "network" and result.network_down:
        return None
    if outcome.state in ("network", "failed"):
        return (
            IMAGE_UNREACHABLE,
            (f"image is unreachable: {outcome.reason}{_attempts(outcome)}{_via(outcome)}{cached}"),
            url_pointer,
        )
    status = outcome.status or 0
    if not 200 <= status < 300:
        if _refused(outcome):
            return (
                NOT_EVALUATED,
                (
                    f"image not evaluated: the server refused to answer: "
                    f"{_refusal_text(outcome, settings)}{cached}"
                ),
                url_pointer,
            )
        if status in settings.config.accept_status:
            return (
                NOT_EVALUATED,
                (
                    f"image size not evaluated: {_answer(outcome)} (accepted by accept-status, "
                    f"but no image came with it){cached}"
                ),
                url_pointer,
            )
        return (
            IMAGE_UNREACHABLE,
            (
                f"image is unreachable: {_answer(outcome)}{_attempts(outcome)}{_via(outcome)}{cached}"
            ),
            url_pointer,
        )
    if outcome.width is None or outcome.height is None:
        content_type = (outcome.content_type or "").split(";")[0].strip().lower()
        if content_type.startswith(_NOT_IMAGE_TYPES):
            return (
                IMAGE_UNREACHABLE,
                (f"image URL answers with Content-Type {content_type}, not an image{cached}"),
                url_pointer,
            )
        if outcome.body_truncated:
            return (
                NOT_EVALUATED,
                (
                    f"image size not evaluated: its header is not in the first {outcome.bytes_read} "
                    f"bytes read (the file is larger; raise image-bytes to read more){cached}"
                ),
                url_pointer,
            )
        return (
            NOT_EVALUATED,
            (
                f"image size not evaluated: no PNG, JPEG, GIF, WebP or other known image header in "
                f"the {outcome.bytes_read} bytes read{cached}"
            ),
            url_pointer,
        )
    if use.width is None or use.height is None or use.width <= 0 or use.height <= 0:
        return None  # image/missing-dimensions reports it offline
    width_off = _differs(outcome.width, use.width, tolerance)
    height_off = _differs(outcome.height, use.height, tolerance)
    if not (width_off or height_off):
        return None
    rotated = ""
    if outcome.orientation in (5, 6, 7, 8):
        rotated = (
            f" (EXIF orientation {outcome.orientation} turns the stored "
            f"{outcome.height}×{outcome.width} pixels by 90°)"
        )
    source = " in --image-dir" if outcome.method == "FILE" else ""
    pointer = f"{use.pointer}/width" if width_off else f"{use.pointer}/height"
    return (
        IMAGE_MISMATCH,
        (
            f"image is {outcome.width}×{outcome.height} pixels{source}{rotated}, but the record "
            f"declares {use.width}×{use.height}{cached}"
        ),
        pointer,
    )


class OnlineRule(CorpusRule):
    """Base of the online rules: run the pass, keep the verdicts of this rule's slug."""

    online = True
    # 2: no password in messages; IDN hosts, unreadable headers and trailing dots handled
    version = "2"
    kinds: ClassVar[tuple[str, ...]] = ("link", "image")

    def check_corpus(
        self, summaries: Sequence[RecordSummary], context: CheckContext
    ) -> Iterable[CorpusProblem]:
        from validator.online.run import online_pass
        from validator.online.settings import OnlineSettings

        result = online_pass(summaries, context)
        if result is None:
            return
        settings = context.online
        assert isinstance(settings, OnlineSettings)
        yield from self.problems(result, settings)

    def problems(self, result: PassResult, settings: OnlineSettings) -> Iterator[CorpusProblem]:
        for use in result.uses:
            if use.kind not in self.kinds:
                continue
            outcome = result.outcome(use)
            if outcome is None:
                continue
            if use.kind == "link":
                verdict = link_verdict(outcome, result, settings)
                if verdict is not None and verdict[0] == self.slug:
                    yield CorpusProblem(use.path, use.record, verdict[1], use.pointer)
            else:
                found = image_verdict(use, outcome, result, settings, self._tolerance())
                if found is not None and found[0] == self.slug:
                    yield CorpusProblem(use.path, use.record, found[1], found[2])

    def _tolerance(self) -> float:
        return 0.0


class Dangling(OnlineRule):
    slug = DANGLING
    code = "ON001"
    severity = Severity.ERROR
    summary = "Link answers 404 Not Found or 410 Gone (online)"
    kinds = ("link",)
    what = (
        "With --online: reports a webUrl, originalUrl, ampWebUrl or cdnAmpWebUrl (of the record "
        "or a related item) whose server answers 404 or 410, directly or at the end of its "
        "redirects. A HEAD answered with an error is asked again as a GET before it counts."
    )
    why = "Readers who follow the link land on an error page; the story moved or was deleted."
    bad = 'webUrl: "https://www.example-herald.org/news/2019/removed-story"   # 404 Not Found'
    good = 'webUrl: "https://www.example-herald.org/news/2019/story"   # 200 OK'


class Unreachable(OnlineRule):
    slug = UNREACHABLE
    code = "ON002"
    severity = Severity.WARNING
    summary = "Link answers an error, times out or fails to connect (online)"
    kinds = ("link",)
    what = (
        "With --online: reports a link whose server answers another 4xx or 5xx status (after "
        "retries with backoff for 5xx), does not answer within the timeout (after retries), "
        "cannot be connected to, fails TLS, redirects in a loop or more than max-redirects "
        "times. Status codes listed in accept-status count as live."
    )
    why = (
        "The link may be dead, blocked or broken for readers; it needs a look, although a "
        "transient failure is possible (hence a warning)."
    )
    bad = 'webUrl: "https://www.example-herald.org/story"   # 500 Internal Server Error'
    good = 'webUrl: "https://www.example-herald.org/story"   # 200 OK'


class Soft404(OnlineRule):
    slug = SOFT_404
    code = "ON003"
    severity = Severity.WARNING
    summary = "Link redirects to the site's home page (a soft 404, online)"
    kinds = ("link",)
    what = (
        "With --online: reports a link to an article that redirects, in one or more steps, to "
        "a home page ('/', '/index.html' and the like, without a query) and answers 200 there."
    )
    why = (
        "Sites often send removed pages to their home page instead of answering 404: the link "
        "looks alive but the story is gone."
    )
    bad = 'webUrl: "https://www.example-herald.org/news/old-story"   # 301 -> https://www.example-herald.org/'
    good = (
        'webUrl: "https://www.example-herald.org/news/2024/old-story"   # 200 OK, the story itself'
    )


class NotEvaluated(OnlineRule):
    slug = NOT_EVALUATED
    code = "ON004"
    severity = Severity.INFO
    summary = "Link or image could not be checked online (never counted as passed)"
    what = (
        "With --online: reports a link or image that was not checked: the server kept answering "
        "429 (or 503 with Retry-After) after Retry-After was honoured, asked for a longer wait "
        "than max-retry-after, the host is refused by the SSRF guard (private, loopback, "
        "link-local... addresses) or by allow-hosts / deny-hosts, a redirect leads to another "
        "scheme than http or https, or the image header was not in the bytes read. When the "
        "network itself is unreachable, or run-timeout strikes, one notice on the first record "
        "says how many links and images were not evaluated."
    )
    why = "A link that could not be checked is not known to be good; the report says so."
    bad = 'webUrl: "https://www.example-herald.org/story"   # 429 Too Many Requests, Retry-After: 3600'
    good = "check again later, or raise max-retry-after; allow the host if it is yours"

    def problems(self, result: PassResult, settings: OnlineSettings) -> Iterator[CorpusProblem]:
        yield from super().problems(result, settings)
        yield from self._notices(result)

    def _notices(self, result: PassResult) -> Iterator[CorpusProblem]:
        if result.network_down:
            yield from _notice(
                result,
                lambda o: o.state == "network",
                lambda first, count: (
                    "the network is unreachable: no URL could be reached "
                    f"({first.host}: {first.reason}); {count} were not evaluated. "
                    "The offline checks are unaffected."
                ),
            )
        if result.run_timed_out:
            yield from _notice(
                result,
                lambda o: o.error == "run-timeout",
                lambda first, count: (
                    f"the online checks stopped: {first.reason}; {count} were "
                    "not evaluated (raise run-timeout, or check fewer records at once)"
                ),
            )


def _notice(
    result: PassResult,
    affected_by: Callable[[Outcome], bool],
    message: Callable[[Outcome, str], str],
) -> Iterator[CorpusProblem]:
    """One finding, on the first affected use, for a failure that hit many URLs at once."""
    affected = [
        use for use in result.uses if (o := result.outcome(use)) is not None and affected_by(o)
    ]
    if not affected:
        return
    first_use = affected[0]
    first = result.outcome(first_use)
    assert first is not None
    pointer = first_use.pointer if first_use.kind == "link" else f"{first_use.pointer}/url"
    yield CorpusProblem(first_use.path, first_use.record, message(first, _count(affected)), pointer)


def _count(uses: Sequence[Use]) -> str:
    links = len({use.url for use in uses if use.kind == "link"})
    images = len({use.url for use in uses if use.kind == "image"})
    parts = []
    if links or not images:
        parts.append(f"{links} link{'s' if links != 1 else ''}")
    if images:
        parts.append(f"{images} image{'s' if images != 1 else ''}")
    return " and ".join(parts)


class DimensionOptions(RuleOptions):
    tolerance: float = Field(
        0.0,
        ge=0,
        le=1,
        description="relative difference allowed on each side (0.02: 2%) before it is reported",
    )


class DimensionMismatch(OnlineRule):
    slug = IMAGE_MISMATCH
    code = "ON005"
    severity = Severity.WARNING
    summary = "Image's real size differs from its declared width and height (online)"
    kinds = ("image",)
    Options = DimensionOptions
    what = (
        "With --online: reads the first bytes of each image (a ranged GET of image-bytes, or the "
        "file in --image-dir), takes its size from the PNG, JPEG, GIF or WebP header - with the "
        "EXIF orientation applied, so a JPEG turned by 90° counts as its shown size - and "
        "reports an image whose declared width or height differs."
    )
    why = (
        "Pages reserve the declared size: a wrong one distorts the image or shifts the layout, "
        "and often means the record points at another picture than the one described."
    )
    bad = 'images:\n  - url: "https://img.example-herald.org/a.jpg"   # really 1200×800\n    width: 800\n    height: 600'
    good = (
        'images:\n  - url: "https://img.example-herald.org/a.jpg"\n    width: 1200\n    height: 800'
    )

    def _tolerance(self) -> float:
        options = self.options
        assert isinstance(options, DimensionOptions)
        return options.tolerance


class ImageUnreachable(OnlineRule):
    slug = IMAGE_UNREACHABLE
    code = "ON006"
    severity = Severity.WARNING
    summary = "Image URL answers an error, times out or is not an image (online)"
    kinds = ("image",)
    what = (
        "With --online: reports an image whose URL answers 4xx or 5xx (404 and 410 included), "
        "times out or cannot be connected to after retries, redirects in a loop, or answers "
        "with a page (text/html) instead of an image."
    )
    why = "Readers see a broken image, and its size cannot be known."
    bad = 'images:\n  - url: "https://img.example-herald.org/removed.jpg"   # 404 Not Found'
    good = 'images:\n  - url: "https://img.example-herald.org/a.jpg"   # 200, image/jpeg'


RULES = (Dangling, Unreachable, Soft404, NotEvaluated, DimensionMismatch, ImageUnreachable)

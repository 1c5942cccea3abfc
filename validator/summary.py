"""What corpus-level rules and the audit statistics need of each record, kept small.

Summaries cross process boundaries (the parallel engine) and live for the whole run, so
they hold keys and hashes, never bodies.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from typing import Any

from validator.records import Record


def iter_urls(record: Record) -> Any:
    from rules.link import iter_urls as link_urls  # the link rules define which fields are URLs

    return link_urls(record)


def iter_images(record: Record) -> Any:
    from rules.image import iter_images as image_list

    return image_list(record)


SKETCH_SIZE = 64  # bottom-k MinHash: the k smallest shingle hashes of a body
SHINGLE_WORDS = 5
MIN_SKETCH_WORDS = 50  # shorter bodies are too small for a meaningful similarity
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class RecordSummary:
    path: str
    record: int
    line: int
    provider: str | None
    type: str | None
    month: str | None  # YYYY-MM of publishedDateTime
    web_url: str | None
    original_url: str | None
    title_key: str | None  # normalised title and provider domain
    published: bool | None
    body_hash: str | None
    sketch: tuple[int, ...]
    related: tuple[tuple[str, str], ...]  # (pointer, webUrl) of each related item
    # For the online checks: every URL field (pointer, url) and every image
    # (pointer, url, declared width, declared height).
    urls: tuple[tuple[str, str], ...] = ()
    images: tuple[tuple[str, str, int | None, int | None], ...] = ()


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def body_sketch(words: list[str]) -> tuple[int, ...]:
    if len(words) < MIN_SKETCH_WORDS:
        return ()
    hashes = {
        zlib.crc32(" ".join(words[i : i + SHINGLE_WORDS]).encode())
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }
    return tuple(sorted(hashes)[:SKETCH_SIZE])


def summarize(record: Record) -> RecordSummary:
    data = record.data or {}
    provider_field = data.get("provider")
    provider = None
    if isinstance(provider_field, dict):
        provider = _text(provider_field.get("domain")) or _text(provider_field.get("name"))
    provider = provider.lower().removeprefix("www.") if provider else None
    published_at = _text(data.get("publishedDateTime"))
    month = published_at[:7] if published_at and re.match(r"\d{4}-\d{2}", published_at) else None
    title = _text(data.get("title"))
    title_key = " ".join(_WORD.findall(title.casefold())) + f"|{provider or ''}" if title else None
    body_hash = None
    sketch: tuple[int, ...] = ()
    if record.body and record.body.strip():
        words = _WORD.findall(record.body.casefold())
        if words:
            body_hash = hashlib.sha1(" ".join(words).encode()).hexdigest()
            sketch = body_sketch(words)
    related = []
    items = data.get("related")
    if isinstance(items, list):
        for index, item in enumerate(items):
            url = _text(item.get("webUrl")) if isinstance(item, dict) else None
            if url:
                related.append((f"/related/{index}/webUrl", url))
    published = data.get("published")
    urls = tuple((pointer, url) for pointer, url in iter_urls(record))
    images = tuple(
        (
            pointer,
            image["url"],
            image.get("width") if _is_int(image.get("width")) else None,
            image.get("height") if _is_int(image.get("height")) else None,
        )
        for pointer, image in iter_images(record)
        if isinstance(image.get("url"), str)
    )
    return RecordSummary(
        path=record.path,
        record=record.index,
        line=record.line,
        provider=provider,
        type=_text(data.get("type")),
        month=month,
        web_url=_text(data.get("webUrl")),
        original_url=_text(data.get("originalUrl")),
        title_key=title_key,
        published=published if isinstance(published, bool) else None,
        body_hash=body_hash,
        sketch=sketch,
        related=tuple(related),
        urls=urls,
        images=images,
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def estimated_similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Jaccard similarity of two bodies' shingle sets, estimated from bottom-k sketches."""
    if not a or not b:
        return 0.0
    union_bottom = sorted(set(a) | set(b))[:SKETCH_SIZE]
    both = set(a) & set(b)
    return sum(1 for h in union_bottom if h in both) / len(union_bottom)

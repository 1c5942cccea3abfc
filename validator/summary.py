"""What corpus-level rules and the audit statistics need of each record, kept small.

Summaries cross process boundaries (the parallel engine) and live for the whole run, so
they hold keys and hashes, never bodies.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
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


def comparable_words(text: str) -> list[str]:
    """The words of a text as the corpus rules compare them: NFKC first, so that one text
    with accents composed and decomposed ('é' as one or two code points), or in full-width
    forms, gives the same words; then case folded."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def provider_key(provider_field: Any) -> str | None:
    """The provider a record is counted under: its domain (else its name), trimmed, lower
    case and without 'www.', so that ' WWW.HRW.org' and 'hrw.org' are one provider."""
    if not isinstance(provider_field, dict):
        return None
    for name in ("domain", "name"):
        text = _text(provider_field.get(name))
        if text:
            return text.strip().lower().removeprefix("www.").rstrip(".") or None
    return None


def publication_month(value: Any) -> str | None:
    """YYYY-MM of a date-time that parses: '2020-13-99' is no month (meta/unparseable-date
    reports it), and counting it would invent a month in the statistics."""
    from rules.meta import parse_datetime  # the meta rules define what a valid date is

    text = _text(value)
    parsed = parse_datetime(text) if text else None
    return f"{parsed.year:04d}-{parsed.month:02d}" if parsed else None


def title_key(title: str | None, provider: str | None) -> str | None:
    """The title's words (case and punctuation ignored) and provider; None for a title with
    no words ('!!!'), which would otherwise be a 'duplicate' of every other such title."""
    words = comparable_words(title) if title else []
    return " ".join(words) + f"|{provider or ''}" if words else None


def summarize(record: Record) -> RecordSummary:
    data = record.data if isinstance(record.data, dict) else {}
    provider = provider_key(data.get("provider"))
    month = publication_month(data.get("publishedDateTime"))
    body_hash = None
    sketch: tuple[int, ...] = ()
    if record.body and record.body.strip():
        words = comparable_words(record.body)
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
        title_key=title_key(_text(data.get("title")), provider),
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

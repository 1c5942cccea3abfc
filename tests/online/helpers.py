"""Helpers of the online tests: summaries, images, one run of the online rules."""

from __future__ import annotations

import io
import socket
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from rules.online import RULES
from validator.online.settings import parse_online_settings
from validator.rule import CheckContext
from validator.summary import RecordSummary

# Short limits: every test finishes in well under a second unless it waits on purpose. The
# timeout leaves room for a loaded machine; the timeout tests set their own.
FAST: dict[str, Any] = {
    "allow-private": ["127.0.0.1"],
    "timeout": 3,
    "retries": 1,
    "backoff": 0.01,
    "host-delay": 0,
    "max-retry-after": 2,
    "run-timeout": 20,
}


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def summary(
    path: str = "a.md",
    urls: Sequence[tuple[str, str]] = (),
    images: Sequence[tuple[str, str, int | None, int | None]] = (),
    record: int = 0,
) -> RecordSummary:
    return RecordSummary(
        path=path,
        record=record,
        line=1,
        provider=None,
        type=None,
        month=None,
        web_url=None,
        original_url=None,
        title_key=None,
        published=None,
        body_hash=None,
        sketch=(),
        related=(),
        urls=tuple(urls),
        images=tuple(images),
    )


def links(*urls: str) -> list[RecordSummary]:
    """One record per URL, each as its webUrl (a{i}.md)."""
    return [summary(f"a{i}.md", [("/webUrl", url)]) for i, url in enumerate(urls)]


@dataclass(frozen=True)
class Found:
    rule: str
    path: str
    record: int
    pointer: str
    message: str


def run_online(
    summaries: Sequence[RecordSummary],
    tmp_path: Path,
    *,
    image_dir: Path | None = None,
    use_cache: bool = False,
    now: datetime | None = None,
    **config: Any,
) -> list[Found]:
    """Every online rule over ``summaries`` with FAST settings (overridden by ``config``,
    snake_case keys), as the corpus phase runs them."""
    raw = dict(FAST)
    raw.update({key.replace("_", "-"): value for key, value in config.items()})
    settings = parse_online_settings(raw, "newslint.toml", tmp_path, image_dir, use_cache)
    context = CheckContext(
        online=settings, cache_dir=tmp_path / "cache", now=now or datetime.now(timezone.utc)
    )
    found = []
    for rule_class in RULES:
        rule = rule_class()
        for problem in rule.check_corpus(summaries, context):
            found.append(
                Found(rule.slug, problem.path, problem.record, problem.pointer, problem.message)
            )
    return found


def only(found: list[Found], rule: str) -> list[Found]:
    return [f for f in found if f.rule == rule]


# --- images -----------------------------------------------------------------------------


def png(width: int, height: int, padding: int = 0) -> bytes:
    """A minimal valid PNG (grey, 8 bits); ``padding`` adds an ancillary chunk after IHDR."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    extra = chunk(b"tEXt", b"Comment\x00" + b"x" * padding) if padding else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + extra
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def gif(width: int, height: int) -> bytes:
    """A minimal GIF89a header with a logical screen of the given size."""
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + b"\x3b"


def pillow_image(fmt: str, width: int, height: int, orientation: int | None = None) -> bytes:
    image_module = pytest.importorskip("PIL.Image")
    image = image_module.new("RGB", (width, height), (200, 30, 30))
    out = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if orientation is not None:
        exif = image.getexif()
        exif[0x0112] = orientation
        kwargs["exif"] = exif.tobytes()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def jpeg_with_big_header(width: int, height: int, header_bytes: int) -> bytes:
    """A JPEG whose size (SOF) comes only after ``header_bytes`` of comment segments."""
    data = pillow_image("JPEG", width, height)
    segments = b""
    remaining = header_bytes
    while remaining > 0:
        size = min(remaining, 65533)
        segments += b"\xff\xfe" + struct.pack(">H", size + 2) + b"c" * size
        remaining -= size
    return data[:2] + segments + data[2:]

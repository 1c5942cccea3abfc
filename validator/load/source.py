"""Bytes to text: size limit, binary detection and encodings, each a clear input/ finding."""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from validator.findings import Problem

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SNIFF_BYTES = 8192


# Here, not in yaml_tree, so that a run served from the cache never imports a YAML parser.
@dataclass(frozen=True)
class YamlLimits:
    max_depth: int = 64
    max_aliases: int = 100
    max_nodes: int = 100_000


@dataclass(frozen=True)
class InputLimits:
    max_file_bytes: int = 5 * 1024 * 1024
    max_front_matter_bytes: int = 256 * 1024
    yaml: YamlLimits = field(default_factory=YamlLimits)


@dataclass
class Source:
    text: str | None
    problems: list[tuple[str, Problem]] = field(default_factory=list)
    problem_line: int = 1
    digest: str = ""  # SHA-256 of the bytes read: --fix writes only over these same bytes


def read_source(path: Path, display_path: str, limits: InputLimits) -> Source:
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return Source(
                None,
                [
                    (
                        "input/too-large",
                        Problem(
                            f"file is {size:,} bytes, over the limit of "
                            f"{limits.max_file_bytes:,}; split it or raise "
                            "limits.max-file-bytes",
                            line=1,
                            column=1,
                        ),
                    )
                ],
            )
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return Source(
            None, [("input/unreadable", Problem(f"cannot read file: {reason}", line=1, column=1))]
        )
    source = decode(data)
    source.digest = content_digest(data)
    return source


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> Source:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                break
            return Source(
                text.lstrip("\ufeff"),
                [
                    (
                        "input/encoding",
                        Problem(
                            f"file is {codec.upper()} with a byte-order mark, not UTF-8; it was "
                            "checked as decoded, but convert it to UTF-8",
                            line=1,
                            column=1,
                        ),
                    )
                ],
            )
    nul = data.find(b"\x00", 0, _SNIFF_BYTES)
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        return Source(
            None,
            [
                (
                    "input/binary",
                    Problem(
                        f"file looks binary (NUL byte at offset {nul}); news records are text",
                        line=line,
                        column=1,
                    ),
                )
            ],
            problem_line=line,
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return Source(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        text = data.decode("utf-8", errors="replace")
        return Source(
            text,
            [
                (
                    "input/encoding",
                    Problem(
                        f"not valid UTF-8: byte 0x{data[error.start]:02x} at line {line}, column "
                        f"{column} ({error.reason}); the rest was checked with U+FFFD in its "
                        "place: re-save the file as UTF-8",
                        line=line,
                        column=column,
                    ),
                )
            ],
        )

"""Bytes to text: size limits, binary detection and encodings, each a clear input/ finding.

Most files are read whole, within limits.max-file-bytes. A JSON lines file is read as a
stream of lines instead (open_lines), each line within limits.max-line-bytes: its records are
independent, so its size alone says nothing wrong about it.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from validator.findings import Problem

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 controls but tab, line feed and carriage return, and DEL: the ASCII characters that
# YAML refuses and that text fields should not hold (bytes.translate deletes them quickly).
ASCII_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_SNIFF_BYTES = 8192
_CHUNK_BYTES = 256 * 1024  # a JSON lines file is read this much at a time


# Here, not in yaml_tree, so that a run served from the cache never imports a YAML parser.
@dataclass(frozen=True)
class YamlLimits:
    max_depth: int = 64
    max_aliases: int = 100
    max_nodes: int = 100_000


@dataclass(frozen=True)
class InputLimits:
    max_file_bytes: int = 5 * 1024 * 1024
    # A JSON line is one record: it may be as large as a record in a file of its own.
    max_line_bytes: int = 5 * 1024 * 1024
    max_front_matter_bytes: int = 256 * 1024
    yaml: YamlLimits = field(default_factory=YamlLimits)


@dataclass
class Source:
    text: str | None
    problems: list[tuple[str, Problem]] = field(default_factory=list)
    problem_line: int = 1
    digest: str = ""  # SHA-256 of the bytes read: --fix writes only over these same bytes


def read_source(path: Path, display_path: str, limits: InputLimits, digest: bool = True) -> Source:
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
        return _unreadable(error)
    source = decode(data)
    if digest:  # the cache and --fix need it; a --no-cache check does not (~3% of its CPU)
        source.digest = content_digest(data)
    return source


def _unreadable(error: OSError) -> Source:
    reason = error.strerror or type(error).__name__
    return Source(
        None, [("input/unreadable", Problem(f"cannot read file: {reason}", line=1, column=1))]
    )


@dataclass
class SourceLine:
    """One line of a JSON lines file: its text without the line break (None when it was not
    read: over limits.max-line-bytes, or the file failed there), and the problems found."""

    number: int
    text: str | None
    problems: list[tuple[str, Problem]] = field(default_factory=list)


def open_lines(path: Path, display_path: str, limits: InputLimits) -> Source | LineStream:
    """A JSON lines file opened to be read line by line, or a Source when it is not streamed:
    unreadable, binary (a NUL in its first 8 KiB, as for every file) or UTF-16/32 with a
    byte-order mark (rare enough to be read whole, within limits.max-file-bytes)."""
    try:
        with contextlib.ExitStack() as closing:
            handle = closing.enter_context(path.open("rb"))
            head = b""
            while len(head) < _SNIFF_BYTES and (chunk := handle.read(_CHUNK_BYTES)):
                head += chunk
            if any(head.startswith(bom) for bom, _ in _BOMS):
                return read_source(path, display_path, limits)
            nul = head.find(b"\x00", 0, _SNIFF_BYTES)
            if nul != -1:
                binary = _binary(head, nul)
                binary.digest = _rest_digest(handle, head)  # so that its outcome is cached
                return binary
            closing.pop_all()  # the stream closes the file once it has been read
            return LineStream(handle, head, limits)
    except OSError as error:
        return _unreadable(error)


class LineStream:
    """A JSON lines file read through a bounded buffer (one line up to limits.max-line-bytes
    plus one chunk), never whole: a file of any size is checked in little memory. A line over
    the limit is counted and dropped, not kept; it becomes an input/too-large finding.

    ``digest`` (SHA-256 of every byte) is set once the lines have been read to the end.
    """

    def __init__(self, handle: BinaryIO, head: bytes, limits: InputLimits) -> None:
        self._handle = handle
        self._head = head
        self._max_line_bytes = limits.max_line_bytes
        self.digest = ""

    def __iter__(self) -> Iterator[SourceLine]:
        with self._handle:
            yield from self._lines()

    def _lines(self) -> Iterator[SourceLine]:
        limit = self._max_line_bytes
        hasher = hashlib.sha256(self._head)
        buffer = bytearray(self._head.removeprefix(codecs.BOM_UTF8))
        self._head = b""
        number = 1
        dropped = 0  # bytes of the current line already dropped for being over the limit
        scan = 0  # the buffer before this offset holds no line break
        while True:
            start = 0
            while (end := buffer.find(b"\n", scan)) != -1:
                yield _source_line(number, buffer[start:end], dropped + end - start, limit)
                number += 1
                dropped = 0
                start = scan = end + 1
            del buffer[:start]
            if dropped + len(buffer) > limit:
                dropped += len(buffer)
                buffer.clear()
            scan = len(buffer)
            try:
                chunk = self._handle.read(_CHUNK_BYTES)
            except OSError as error:
                reason = error.strerror or type(error).__name__
                message = f"cannot read the file from here: {reason}; the rest was not checked"
                yield SourceLine(
                    number, None, [("input/unreadable", Problem(message, line=number, column=1))]
                )
                return
            if not chunk:
                break
            hasher.update(chunk)
            buffer += chunk
        self.digest = hasher.hexdigest()
        if buffer or dropped:  # the last line has no line break
            yield _source_line(number, buffer, dropped + len(buffer), limit)


def _source_line(number: int, raw: bytearray, size: int, limit: int) -> SourceLine:
    if size > limit:
        return SourceLine(
            number,
            None,
            [
                (
                    "input/too-large",
                    Problem(
                        f"this JSON line is {size:,} bytes, over the limit of {limit:,}; it was "
                        "not read: split the record or raise limits.max-line-bytes",
                        line=number,
                        column=1,
                    ),
                )
            ],
        )
    try:
        return SourceLine(number, raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        # As for a whole file: reported at the first bad byte, read with U+FFFD in its place.
        column = _character_column(raw, 0, error.start)
        problem = _not_utf8(raw[error.start], number, column, error.reason)
        return SourceLine(number, raw.decode("utf-8", errors="replace"), [problem])


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
        return _binary(data, nul)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return Source(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = _character_column(data, data.rfind(b"\n", 0, error.start) + 1, error.start)
        text = data.decode("utf-8", errors="replace")
        return Source(text, [_not_utf8(data[error.start], line, column, error.reason)])


def _rest_digest(handle: BinaryIO, head: bytes) -> str:
    """SHA-256 of a file of which ``head`` has been read, reading the rest in chunks."""
    hasher = hashlib.sha256(head)
    while chunk := handle.read(_CHUNK_BYTES):
        hasher.update(chunk)
    return hasher.hexdigest()


def _binary(data: bytes, nul: int) -> Source:
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


def _character_column(data: bytes | bytearray, line_start: int, bad: int) -> int:
    """1-based column, in characters as everywhere else, of the first invalid byte ``bad``;
    the bytes before it on its line are valid UTF-8."""
    return len(data[line_start:bad].decode("utf-8")) + 1


def _not_utf8(byte: int, line: int, column: int, reason: str) -> tuple[str, Problem]:
    return (
        "input/encoding",
        Problem(
            f"not valid UTF-8: byte 0x{byte:02x} at line {line}, column {column} ({reason}); "
            "the rest was checked with U+FFFD in its place: re-save the file as UTF-8",
            line=line,
            column=column,
        ),
    )

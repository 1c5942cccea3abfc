"""An append-only sequence that spills to an anonymous temporary file.

A run keeps one entry per checked file and one per finding. Held as Python objects, 100,000
files cost the parent process about 100 MB; spooled, its memory stays flat with the corpus.
The first `limit` items stay in memory (a pre-commit run never touches the disk); beyond
that, batches are written as JSON lines to a file the system deletes when it is closed.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, Generic, TypeVar

import orjson

T = TypeVar("T")

IN_MEMORY = 4096


class Spool(Generic[T]):
    def __init__(
        self,
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
        items: Iterable[T] = (),
        limit: int = IN_MEMORY,
    ) -> None:
        self._encode = encode
        self._decode = decode
        self._limit = limit
        self._memory: list[T] = []
        self._file: IO[bytes] | None = None
        self._spilled = self._spilled_bytes = 0
        self.extend(items)

    def empty_like(self, items: Iterable[T] = ()) -> Spool[T]:
        return Spool(self._encode, self._decode, items, self._limit)

    def append(self, item: T) -> None:
        self._memory.append(item)
        if len(self._memory) >= self._limit:
            self._spill()

    def extend(self, items: Iterable[T]) -> None:
        for item in items:
            self.append(item)

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="newslint-")  # noqa: SIM115 - lives as long as the spool
        encode = self._encode
        batch = b"".join(dumps_compact(encode(item)) + b"\n" for item in self._memory)
        self._file.write(batch)
        self._file.flush()
        self._spilled += len(self._memory)
        self._spilled_bytes += len(batch)
        self._memory.clear()

    def __len__(self) -> int:
        return self._spilled + len(self._memory)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __getitem__(self, index: int) -> T:
        """Positional access; it walks the spool, so it is for small runs and tests."""
        return list(self)[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Spool, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __iter__(self) -> Iterator[T]:
        # What is there now; items appended while iterating are not seen by this iteration.
        memory = list(self._memory)
        if self._file is not None:
            decode = self._decode
            for line in _lines(self._file.fileno(), self._spilled_bytes):
                yield decode(loads_compact(line))
        yield from memory

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._spilled = self._spilled_bytes = 0
        self._memory.clear()


def dumps_compact(value: Any) -> bytes:
    """One line of JSON. orjson refuses integers beyond 64 bits and lone surrogates, which a
    record can hold; the standard library writes those (escaped)."""
    try:
        return orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value).encode("ascii")


def loads_compact(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:  # what the standard library wrote, above
        return json.loads(line)


def _lines(fd: int, size: int, block: int = 1 << 20) -> Iterator[bytes]:
    # pread keeps no file offset, so iterations and appends cannot disturb each other.
    offset = 0
    rest = b""
    while offset < size:
        data = os.pread(fd, min(block, size - offset), offset)
        if not data:
            break
        offset += len(data)
        lines = (rest + data).split(b"\n")
        rest = lines.pop()
        yield from lines

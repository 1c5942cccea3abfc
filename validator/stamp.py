"""What stat says of a path, compared to tell whether a file changed without reading it."""

from __future__ import annotations

import os
import time
from collections import namedtuple

SETTLED_NS = 2_000_000_000  # a file untouched this long is not being written to right now


# A named tuple, not a dataclass: validator.replay imports this before anything else, and
# dataclasses costs it ~15 ms of imports.
class Stamp(namedtuple("_StampFields", "size mtime_ns ctime_ns inode")):
    """What stat says of a file: while it is unchanged, so are the file's bytes (as in git's
    index), provided the file had settled before its bytes were hashed."""

    __slots__ = ()

    @classmethod
    def of(cls, status: os.stat_result) -> Stamp:
        return cls(status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)

    def settled(self, window_ns: int, since_ns: int | None = None) -> bool:
        # A write in the same clock tick as the hashing would leave the stamp unchanged
        # (git's "racy clean" case): only files untouched for window_ns before since_ns
        # (default: now) are trusted.
        reference = time.time_ns() if since_ns is None else since_ns
        newest: int = max(self.mtime_ns, self.ctime_ns)
        return newest < reference - window_ns

    def text(self) -> str:
        return f"{self.size}:{self.mtime_ns}:{self.ctime_ns}:{self.inode}"

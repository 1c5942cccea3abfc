"""A wall-clock limit for one record's checks, so a runaway rule or pattern cannot hang a run.

It uses SIGALRM, which exists on POSIX and only in the main thread: elsewhere the limit is
not enforced (and the parallel engine's workers are main threads of their own processes).
Python's regular-expression engine checks for signals while matching, so even a
catastrophically backtracking pattern is interrupted.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class TimeLimitExceeded(Exception):
    pass


def _available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    if seconds <= 0 or not _available():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeLimitExceeded(f"took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

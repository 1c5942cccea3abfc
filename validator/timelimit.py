"""A wall-clock limit for one record's checks, so a runaway rule or pattern cannot hang a run.

It uses SIGALRM, which exists on POSIX and only in the main thread: elsewhere the limit is
not enforced (and the parallel engine's workers are main threads of their own processes).
Python's regular-expression engine checks for signals while matching, so even a
catastrophically backtracking pattern is interrupted. The handler is installed once per
process; arming and disarming is then one timer call each (this runs per record).
"""

from __future__ import annotations

# _signal.getsignal is signal.getsignal without its conversion to an enum, which raises and
# catches a ValueError for a Python handler: a cost paid several times per record.
import _signal  # type: ignore[import-not-found, unused-ignore]
import signal
import threading
from types import FrameType


class TimeLimitExceeded(Exception):
    pass


_armed_seconds = 0.0


def _expire(signum: int, frame: FrameType | None) -> None:
    if _armed_seconds:
        raise TimeLimitExceeded(f"took longer than {_armed_seconds:g} s")


def _ready() -> bool:
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        return False
    if _signal.getsignal(signal.SIGALRM) is not _expire:
        signal.signal(signal.SIGALRM, _expire)
    return True


class time_limit:  # lower case: used as a function, `with time_limit(seconds):`
    """Raise TimeLimitExceeded in the body once `seconds` of wall-clock time have passed.

    A class rather than a @contextmanager generator: this is entered three times per
    file, and a generator-based context manager costs several times as much to enter."""

    __slots__ = ("armed", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False

    def __enter__(self) -> None:
        global _armed_seconds
        if self.seconds <= 0 or _armed_seconds or not _ready():
            return  # no limit, or an outer limit already runs
        _armed_seconds = self.seconds
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc_info: object) -> None:
        global _armed_seconds
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _armed_seconds = 0.0
            self.armed = False

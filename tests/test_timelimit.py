"""The per-record wall-clock limit: stops a runaway body, and leaves no timer behind."""

from __future__ import annotations

import re
import threading
import time

import pytest

from validator.timelimit import TimeLimitExceeded, time_limit


def test_a_body_that_runs_too_long_is_stopped() -> None:
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded, match=r"took longer than 0\.2 s"), time_limit(0.2):
        time.sleep(5)
    assert time.monotonic() - started < 2


def test_a_backtracking_pattern_is_interrupted() -> None:
    with pytest.raises(TimeLimitExceeded), time_limit(0.2):
        re.fullmatch(r"(a+)+b", "a" * 40)


def test_a_body_within_the_limit_runs_to_its_end_and_leaves_no_timer() -> None:
    with time_limit(0.2):
        done = True
    assert done
    time.sleep(0.4)  # a timer left armed would raise here


def test_the_timer_is_disarmed_when_the_body_raises() -> None:
    with pytest.raises(ValueError), time_limit(0.2):
        raise ValueError("a rule's own error")
    time.sleep(0.4)


def test_an_inner_limit_inside_an_outer_one_keeps_the_outer_limit() -> None:
    with pytest.raises(TimeLimitExceeded, match=r"0\.2 s"), time_limit(0.2), time_limit(30):
        time.sleep(5)


def test_after_an_inner_limit_the_outer_limit_still_runs() -> None:
    with pytest.raises(TimeLimitExceeded), time_limit(0.3):
        with time_limit(30):
            pass
        time.sleep(5)


def test_zero_means_no_limit() -> None:
    with time_limit(0):
        time.sleep(0.3)


def test_outside_the_main_thread_there_is_no_limit() -> None:
    outcome: list[str] = []

    def work() -> None:
        with time_limit(0.1):
            time.sleep(0.3)
        outcome.append("finished")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert outcome == ["finished"]

"""Runs the per-file checks: from the cache, in this process, or in a pool of processes.

Output order is the discovery order whatever the number of jobs. A worker process that
dies (a crash in a C extension, the OOM killer) takes only its own file down: the unfinished
files are retried one by one, and the one that kills its worker again is reported as an
internal/rule-crash finding, so every file still appears in the report exactly once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from validator.cache import content_key
from validator.discover import Discovered
from validator.engine import (
    CheckRequest,
    FileOutcome,
    Progress,
    check_file,
    crash_outcome,
    discover_items,
    display_path,
)

CHUNK_FILES = 16
MIN_FILES_PER_JOB = 4  # below this, starting processes costs more than it saves

_worker_request: CheckRequest | None = None


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def execute(request: CheckRequest, progress: Progress | None = None) -> Iterator[FileOutcome]:
    items = discover_items(request)
    report = _Progress(len(items), progress)
    outcomes: list[FileOutcome | None] = [None] * len(items)
    keys: list[str | None] = [None] * len(items)
    cache = request.cache
    if cache is not None:
        for index, item in enumerate(items):
            key = keys[index] = _cache_key(item, request)
            if key is not None:
                outcomes[index] = cache.get(key, display_path(item.path))
                if outcomes[index] is not None:
                    report.advance(1)
    todo = [index for index, outcome in enumerate(outcomes) if outcome is None]
    fresh = _run([items[i] for i in todo], request, report)
    for index, checked in zip(todo, fresh, strict=True):
        outcomes[index] = checked
        key = keys[index]
        if cache is not None and key is not None:
            cache.put(key, checked)
    if cache is not None:
        cache.flush()
    for outcome in outcomes:
        assert outcome is not None
        yield outcome


def _cache_key(item: Discovered, request: CheckRequest) -> str | None:
    if item.problem is not None:
        return None
    try:
        if item.path.stat().st_size > request.limits.max_file_bytes:
            return None
        data = item.path.read_bytes()
    except OSError:
        return None
    fingerprint = (
        request.selection.fingerprint_for(item.relative)
        + request.settings_fingerprint
        + ("+summaries" if request.collect_summaries else "")
    )
    return content_key(data, item.relative, fingerprint)


class _Progress:
    def __init__(self, total: int, callback: Progress | None) -> None:
        self.total = total
        self.done = 0
        self.callback = callback

    def advance(self, files: int) -> None:
        self.done += files
        if self.callback is not None:
            self.callback(self.done, self.total)


def _run(items: list[Discovered], request: CheckRequest, report: _Progress) -> list[FileOutcome]:
    jobs = max(1, request.jobs)
    if jobs == 1 or request.worker_factory is None or len(items) < jobs * MIN_FILES_PER_JOB:
        outcomes = []
        for item in items:
            outcomes.append(check_file(item, request))
            report.advance(1)
        return outcomes
    return _run_parallel(items, request, jobs, report)


def _init_worker(factory: Any, spec: Any) -> None:
    global _worker_request
    _worker_request = factory(spec)


def _check_chunk(chunk: list[Discovered]) -> list[FileOutcome]:
    assert _worker_request is not None
    return [check_file(item, _worker_request) for item in chunk]


def _pool(request: CheckRequest, jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=jobs,
        initializer=_init_worker,
        initargs=(request.worker_factory, request.worker_spec),
    )


def _run_parallel(
    items: list[Discovered], request: CheckRequest, jobs: int, report: _Progress
) -> list[FileOutcome]:
    size = max(1, min(CHUNK_FILES, len(items) // (jobs * 4) or 1))
    chunks = [
        list(range(start, min(start + size, len(items)))) for start in range(0, len(items), size)
    ]
    results: dict[int, FileOutcome] = {}
    unfinished: list[int] = []
    with _pool(request, jobs) as pool:
        futures = [
            (chunk, pool.submit(_check_chunk, [items[i] for i in chunk])) for chunk in chunks
        ]
        for chunk, future in futures:
            try:
                for index, outcome in zip(chunk, future.result(), strict=True):
                    results[index] = outcome
                report.advance(len(chunk))
            except BrokenProcessPool:
                unfinished.extend(chunk)  # counted in the progress once retried
    # One at a time, each in a fresh worker: the file that kills it again is the culprit.
    for index in unfinished:
        try:
            with _pool(request, 1) as single:
                (results[index],) = single.submit(_check_chunk, [items[index]]).result()
        except BrokenProcessPool:
            results[index] = crash_outcome(
                items[index],
                "the worker process checking this file died (a crash in native code or "
                "memory exhaustion); the file was not checked: please report it",
            )
        report.advance(1)
    return [results[index] for index in range(len(items))]

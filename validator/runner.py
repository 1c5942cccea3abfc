"""Runs the per-file checks: from the cache, in this process, or in a pool of processes.

Files stream through: discovery, cache look-ups, checks and the caller's handling of each
outcome overlap, and only a bounded window of files is in flight, so memory does not grow
with the corpus. Output order is the discovery order whatever the number of jobs.

A worker process that dies (a crash in a C extension, the OOM killer) takes only its own file
down: the files of the chunks it broke are retried one by one, each in a fresh worker, and
the one that kills its worker again is reported as an internal/rule-crash finding, so every
file still appears in the report exactly once.
"""

from __future__ import annotations

import hashlib
import os
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from validator import replay
from validator import stamp as stamp_module
from validator.cache import Cache, content_key
from validator.discover import Discovered, Stamp
from validator.engine import (
    CheckRequest,
    FileOutcome,
    Progress,
    check_file,
    crash_outcome,
    discover_items,
    display_path,
    iter_items,
)
from validator.load import read_whole

if TYPE_CHECKING:  # a pool is started only for many files; one file never pays its imports
    from concurrent.futures import Future, ProcessPoolExecutor

CHUNK_FILES = 16
MIN_FILES_PER_JOB = 4  # below this, starting processes costs more than it saves
CHUNKS_IN_FLIGHT_PER_JOB = 4  # enough queued work to keep every worker busy, no more
_HASH_CHUNK_BYTES = 1024 * 1024

_worker_request: CheckRequest | None = None


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


# One file on its way: the item, its cache key (None: not cacheable), its cached outcome.
Entry = tuple[Discovered, str | None, FileOutcome | None]


def execute(request: CheckRequest, progress: Progress | None = None) -> Iterator[FileOutcome]:
    items: Iterable[Discovered]
    if progress is not None:  # a progress bar needs the total before the first file
        listed = discover_items(request)
        items, report = listed, _Progress(len(listed), progress)
    else:
        items = iter_items(request)
        report = _Progress(0, None)
    stream = iter(items)
    recorder = replay.recorder()
    if recorder is not None:  # a replay of this run must notice a change to any of them
        stream = _noted(stream, recorder)
    jobs = max(1, request.jobs)
    in_flight = jobs * CHUNKS_IN_FLIGHT_PER_JOB
    # Look ahead far enough to know whether a pool pays, and how to cut a short run in chunks.
    head = list(islice(stream, in_flight * CHUNK_FILES))
    checker: _Checker
    if request.engine == "ray" and head:
        chunk_size = max(1, min(CHUNK_FILES, len(head) // in_flight))
        checker = _OnFirstMiss(_ray_checker, request)  # a run all from the cache needs no Ray
    elif len(head) < jobs * MIN_FILES_PER_JOB or request.worker_factory is None:
        chunk_size, checker = 1, _SerialChecker(request)  # a handful of files: no pool
    else:
        chunk_size = max(1, min(CHUNK_FILES, len(head) // in_flight))
        checker = _PoolChecker(request, jobs)
    chunks = _chunks(_chain(head, stream), chunk_size)
    try:
        timely = request.selection.registry.time_dependent
        yield from _pipeline(chunks, request, checker, report, in_flight, timely)
    finally:
        checker.close()
        if request.cache is not None:
            request.cache.flush()


def _noted(items: Iterator[Discovered], recorder: replay.Recorder) -> Iterator[Discovered]:
    for item in items:
        recorder.checks(os.fspath(item.path))
        yield item


def _chain(head: list[Discovered], rest: Iterator[Discovered]) -> Iterator[Discovered]:
    yield from head
    yield from rest


def _chunks(items: Iterator[Discovered], size: int) -> Iterator[list[Discovered]]:
    while chunk := list(islice(items, size)):
        yield chunk


def _pipeline(
    chunks: Iterator[list[Discovered]],
    request: CheckRequest,
    checker: _Checker,
    report: _Progress,
    in_flight: int,
    timely: frozenset[str],
) -> Iterator[FileOutcome]:
    queue: deque[tuple[list[Entry], Callable[[], list[FileOutcome]]]] = deque()
    for chunk in chunks:
        entries = _look_up(chunk, request)
        misses = [item for item, _, cached in entries if cached is None]
        queue.append((entries, checker.submit(misses)))
        while len(queue) >= checker.window(in_flight):
            yield from _finish(*queue.popleft(), request, report, timely)
    while queue:
        yield from _finish(*queue.popleft(), request, report, timely)


def _finish(
    entries: list[Entry],
    pending: Callable[[], list[FileOutcome]],
    request: CheckRequest,
    report: _Progress,
    timely: frozenset[str],
) -> Iterator[FileOutcome]:
    fresh = iter(pending())
    cache = request.cache
    for item, key, cached in entries:
        if cached is not None:
            outcome = cached
        else:
            outcome = next(fresh)
            if (
                cache is not None
                and key is not None
                and not _dated(outcome, timely)
                and _read_as_keyed(outcome, item, key, request)
            ):
                cache.put(key, outcome)
        report.advance(1)
        yield outcome


def _read_as_keyed(outcome: FileOutcome, item: Discovered, key: str, request: CheckRequest) -> bool:
    """Whether the check read the bytes and used the settings the key was made from: the
    file is read twice (for the key, then for the check), and a worker process reads the
    configuration, schema and packs again; an edit in between would otherwise file the new
    bytes' or settings' findings under the old ones' key."""
    fingerprint = outcome.settings_fingerprint
    if fingerprint is None:
        fingerprint = _fingerprint(item, request)
    return bool(outcome.digest) and content_key(outcome.digest, item.relative, fingerprint) == key


def _dated(outcome: FileOutcome, timely: frozenset[str]) -> bool:
    """Whether a finding may vanish with time alone (a date in the future), so that the
    outcome must not be cached: the same bytes may be clean tomorrow."""
    return bool(timely) and any(finding.rule in timely for finding in outcome.findings)


def _look_up(chunk: list[Discovered], request: CheckRequest) -> list[Entry]:
    cache = request.cache
    if cache is None or not cache.usable:  # not usable: it failed earlier in this run
        return [(item, None, None) for item in chunk]
    keys = _cache_keys(chunk, request, cache)
    wanted = [(key, display_path(item.path)) for item, key in zip(chunk, keys, strict=True)]
    found = cache.get_many([(key, shown) for key, shown in wanted if key])
    return [
        (item, key, found.get((key, shown)) if key else None)
        for item, (key, shown) in zip(chunk, wanted, strict=True)
    ]


def _cache_keys(chunk: list[Discovered], request: CheckRequest, cache: Cache) -> list[str | None]:
    """Each file's content key (None: not cacheable): from the stamp index when the file's
    size, times and inode are as they were when its bytes were last hashed (git's index works
    so), else by reading and hashing it."""
    stamped: list[tuple[Discovered, str, Stamp] | None] = []
    for item in chunk:
        if item.problem is not None:
            stamped.append(None)
            continue
        try:
            stamp = item.stamp or Stamp.of(item.path.stat())
        except OSError:
            stamped.append(None)
            continue
        if stamp.size > request.limits.max_file_bytes and read_whole(item.path):
            stamped.append(None)  # refused unread: nothing worth hashing
            continue
        stamped.append((item, _fingerprint(item, request), stamp))
    known = cache.known_keys([(e[0].relative, e[1], e[2]) for e in stamped if e is not None])
    keys: list[str | None] = []
    for entry in stamped:
        if entry is None:
            keys.append(None)
            continue
        item, fingerprint, stamp = entry
        key = known.get((item.relative, fingerprint))
        if key is None:
            try:
                key = _content_key(item, fingerprint)
            except OSError:
                keys.append(None)
                continue
            if stamp.settled(stamp_module.SETTLED_NS):
                cache.remember_key(item.relative, fingerprint, stamp, key)
        keys.append(key)
    return keys


def _fingerprint(item: Discovered, request: CheckRequest) -> str:
    """What besides its bytes decides a file's outcome (part of its cache key)."""
    return (
        request.selection.fingerprint_for(item.relative)
        + request.settings_fingerprint
        + ("+summaries" if request.collect_summaries else "")
    )


def _content_key(item: Discovered, fingerprint: str) -> str:
    # Read in chunks: a JSON lines file may be over the whole-file limit, and is never held
    # whole; its digest, like any file's, is the SHA-256 the check computes as it reads.
    digest = hashlib.sha256()
    with item.path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK_BYTES):
            digest.update(chunk)
    return content_key(digest.hexdigest(), item.relative, fingerprint)


class _Progress:
    def __init__(self, total: int, callback: Progress | None) -> None:
        self.total = total
        self.done = 0
        self.callback = callback

    def advance(self, files: int) -> None:
        self.done += files
        if self.callback is not None:
            self.callback(self.done, self.total)


class _Checker(ABC):
    """Checks chunks of files: submit() starts one and returns what waits for its outcomes."""

    @abstractmethod
    def submit(self, items: list[Discovered]) -> Callable[[], list[FileOutcome]]:
        """Start checking items; the callable returned waits for their outcomes, in order."""

    def close(self) -> None:  # noqa: B027 - most checkers hold nothing to release
        """Release what the checker holds (processes, a cluster connection)."""

    def window(self, default: int) -> int:
        """How many chunks to keep in flight: by default, enough for this machine's jobs."""
        return default


class _OnFirstMiss(_Checker):
    """Builds its checker when the first file must be checked: starting or joining a cluster
    costs seconds, which a run whose files all come from the cache does not pay."""

    def __init__(self, build: Callable[[CheckRequest], _Checker], request: CheckRequest) -> None:
        self.build = build
        self.request = request
        self.checker: _Checker | None = None

    def submit(self, items: list[Discovered]) -> Callable[[], list[FileOutcome]]:
        if not items:
            return list
        if self.checker is None:
            self.checker = self.build(self.request)
        return self.checker.submit(items)

    def window(self, default: int) -> int:
        return default if self.checker is None else self.checker.window(default)

    def close(self) -> None:
        if self.checker is not None:
            self.checker.close()


def _ray_checker(request: CheckRequest) -> _Checker:
    from validator.ray_engine import RayChecker

    return RayChecker(request)


class _SerialChecker(_Checker):
    def __init__(self, request: CheckRequest) -> None:
        self.request = request

    def submit(self, items: list[Discovered]) -> Callable[[], list[FileOutcome]]:
        return lambda: [check_file(item, self.request) for item in items]


class _PoolChecker(_Checker):
    def __init__(self, request: CheckRequest, jobs: int) -> None:
        self.request = request
        self.jobs = jobs
        self.pool: ProcessPoolExecutor | None = None

    def submit(self, items: list[Discovered]) -> Callable[[], list[FileOutcome]]:
        if not items:
            return list
        if self.pool is None:
            self.pool = _pool(self.request, self.jobs)
        future = self.pool.submit(_check_chunk, items)
        return lambda: self._result(future, items)

    def _result(
        self, future: Future[list[FileOutcome]], items: list[Discovered]
    ) -> list[FileOutcome]:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return future.result()
        except BrokenProcessPool:
            if self.pool is not None:
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = None  # the next chunk starts a fresh pool
            return [_check_alone(item, self.request) for item in items]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _check_alone(item: Discovered, request: CheckRequest) -> FileOutcome:
    """One file in a worker of its own: if that worker dies too, this file is the culprit."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        with _pool(request, 1) as single:
            (outcome,) = single.submit(_check_chunk, [item]).result()
            return outcome
    except BrokenProcessPool:
        return crash_outcome(
            item,
            "the worker process checking this file died (a crash in native code or "
            "memory exhaustion); the file was not checked: please report it",
        )


def _init_worker(factory: Any, spec: Any) -> None:
    global _worker_request
    _worker_request = factory(spec)


def _check_chunk(chunk: list[Discovered]) -> list[FileOutcome]:
    assert _worker_request is not None
    return [check_in_worker(item, _worker_request) for item in chunk]


def check_in_worker(item: Discovered, request: CheckRequest) -> FileOutcome:
    """check_file in a worker process, whose request was rebuilt from the options: the
    outcome says with which settings, for the parent to compare with its own."""
    outcome = check_file(item, request)
    outcome.settings_fingerprint = _fingerprint(item, request)
    return outcome


def _pool(request: CheckRequest, jobs: int) -> ProcessPoolExecutor:
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=jobs,
        initializer=_init_worker,
        initargs=(request.worker_factory, request.worker_spec),
    )

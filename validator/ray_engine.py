"""The Ray engine (`--engine ray`): the same per-file checks, run by the workers of a Ray cluster.

Where: a process already connected to Ray (it called ray.init) keeps its connection; otherwise
newslint connects to --ray-address, or RAY_ADDRESS, and with neither it starts a private local
Ray with --jobs CPUs on 127.0.0.1 and shuts it down at the end.

How inputs reach the workers: each worker reads the files itself, at the paths the driver
discovered, from the driver's working folder, and rebuilds the check (configuration, schema,
rules, key) once from the same options. Only paths go out and only findings come back, never
file contents; so a cluster's nodes must see the inputs, the configuration and the schema at
the same paths as the driver (a local Ray, or a shared or identically mounted filesystem), with
newslint installed. A worker that cannot, or whose check differs from the driver's (another
version, schema or secured key), stops the run with a message saying which node and why,
rather than reporting every file as unreadable or reporting other findings.

Order and memory: the runner's pipeline hands over chunks of files, keeps a bounded number
in flight (CHUNKS_IN_FLIGHT_PER_JOB per CPU of the cluster) and takes the outcomes back in
discovery order, so the output is the local engine's and memory does not grow with the corpus.

Failures: a chunk whose task fails (a worker process that died, a lost node, an exception) is
checked again one file per task; a file that fails again is reported as an internal/rule-crash
finding, as the process pool does, so every file still appears in the report exactly once.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from validator import __version__
from validator.config import ConfigError
from validator.discover import Discovered
from validator.engine import CheckRequest, FileOutcome, crash_outcome
from validator.runner import CHUNKS_IN_FLIGHT_PER_JOB, _Checker, check_in_worker

INSTALL_HINT = "pip install 'newslint[ray]'"
CONNECT_SECONDS = 10.0


class WorkerSetupError(Exception):
    """A worker could not rebuild the check: no retry elsewhere would help."""


def require_ray() -> None:
    """Fail before any file is read when Ray is not installed (no import: it is slow)."""
    try:
        found = importlib.util.find_spec("ray") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise ConfigError(f"--engine ray needs Ray, which is not installed: {INSTALL_HINT}")


class RayChecker(_Checker):
    """The runner's checker for --engine ray: each chunk of files is one Ray task."""

    def __init__(self, request: CheckRequest) -> None:
        if request.worker_factory is None:
            raise ConfigError("this check cannot run on Ray: its workers could not rebuild it")
        address = request.ray_address or os.environ.get("RAY_ADDRESS") or None
        if address == "local":
            address = None
        self.ray = _import_ray(local=address is None)
        self.owned = not self.ray.is_initialized()
        self.out: set[Any] = set()  # tasks not yet collected
        if self.owned:
            _connect(self.ray, address, max(1, request.jobs))
        try:
            # An autoscaling cluster may have no CPU yet; its tasks wait for one.
            self.cpus = max(1, int(self.ray.cluster_resources().get("CPU", 0)))
            setup = _WorkerSetup(
                uuid.uuid4().hex,
                request.worker_factory,
                request.worker_spec,
                os.getcwd(),
                _identity(request),
            )
            self.setup = self.ray.put(setup)
            # No retries by Ray: a failed chunk is split and each file retried once, below.
            self.task = self.ray.remote(_check_chunk).options(num_cpus=1, max_retries=0)
        except BaseException:
            self.close()
            raise

    def submit(self, items: list[Discovered]) -> Callable[[], list[FileOutcome]]:
        if not items:
            return list
        ref = self._start(items)
        return lambda: self._result(ref, items)

    def _start(self, items: list[Discovered]) -> Any:
        ref = self.task.remote(self.setup, items)
        self.out.add(ref)
        return ref

    def _get(self, ref: Any) -> list[FileOutcome]:
        try:
            outcomes: list[FileOutcome] = self.ray.get(ref)
        except self.ray.exceptions.RayError as error:
            self.out.discard(ref)
            cause = getattr(error, "cause", None)
            if isinstance(cause, WorkerSetupError):
                raise ConfigError(str(cause)) from None
            raise _TaskFailed(_reason(error)) from None
        self.out.discard(ref)
        return outcomes

    def _result(self, ref: Any, items: list[Discovered]) -> list[FileOutcome]:
        try:
            return self._get(ref)
        except _TaskFailed as failed:
            if len(items) == 1:
                return [crash_outcome(items[0], failed.reason)]
        # One file a task: only the file that fails again is reported, as a crash.
        singles = [(item, self._start([item])) for item in items]
        outcomes = []
        for item, single in singles:
            try:
                (outcome,) = self._get(single)
            except _TaskFailed as failed:
                outcome = crash_outcome(item, failed.reason)
            outcomes.append(outcome)
        return outcomes

    def window(self, default: int) -> int:
        return self.cpus * CHUNKS_IN_FLIGHT_PER_JOB  # the cluster's CPUs, not this machine's

    def close(self) -> None:
        for ref in self.out:  # left early (an error, an interrupt): free the workers
            with contextlib.suppress(Exception):
                self.ray.cancel(ref)
        self.out.clear()
        if self.owned:
            self.owned = False
            self.ray.shutdown()


class _TaskFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _import_ray(local: bool) -> ModuleType:
    if local:
        # Set before Ray is imported, which reads them. Without the first, Ray swaps 127.0.0.1
        # for this machine's network address (found by routing towards a public one); a
        # private instance stays on loopback, sends no usage statistics, and keeps Ray's
        # token authentication without warning about it on every run.
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        os.environ.setdefault("RAY_AUTH_MODE", "token")
    try:
        return importlib.import_module("ray")
    except ImportError as error:
        raise ConfigError(
            f"--engine ray needs Ray, which cannot be imported ({error}): {INSTALL_HINT}"
        ) from None


def _connect(ray: ModuleType, address: str | None, cpus: int) -> None:
    try:
        if address is None:
            ray.init(
                address="local",
                num_cpus=cpus,
                include_dashboard=False,
                _node_ip_address="127.0.0.1",
                logging_level=logging.WARNING,
            )
        else:
            _reachable(address)
            ray.init(address=address, logging_level=logging.WARNING)
    except ConfigError:
        raise
    except Exception as error:  # Ray raises ConnectionError, RuntimeError, ValueError, ...
        with contextlib.suppress(Exception):
            ray.shutdown()  # whatever a failed start left running
        where = f"connect to the Ray cluster at {address}" if address else "start a local Ray"
        raise ConfigError(f"cannot {where}: {type(error).__name__}: {error}") from None


def _reachable(address: str) -> None:
    """Ray retries an unreachable address for minutes: a plain TCP connect answers at once."""
    host, _, port = address.rpartition(":")
    if "://" in address or not host or not port.isdigit():
        return  # "auto", ray://...: Ray resolves those itself
    try:
        with socket.create_connection((host.strip("[]"), int(port)), CONNECT_SECONDS):
            pass
    except OSError as error:
        raise ConfigError(
            f"cannot reach the Ray cluster at {address}: {error.strerror or error} "
            "(--ray-address or RAY_ADDRESS: the head node's host:port)"
        ) from None


@dataclass(frozen=True)
class _WorkerSetup:
    token: str  # one per run: a worker kept from an earlier run rebuilds its request
    factory: Callable[[Any], CheckRequest]
    spec: Any
    cwd: str
    identity: str  # what decides the findings, as the driver sees it


def _identity(request: CheckRequest) -> str:
    """Version, rules with their options, schema, limits and which secured key: a worker
    whose own files or environment differ from the driver's would report other findings."""
    return f"{__version__}:{request.selection.fingerprint_for('')}:{request.settings_fingerprint}"


_worker: tuple[str, CheckRequest] | None = None


def _check_chunk(setup: _WorkerSetup, chunk: list[Discovered]) -> list[FileOutcome]:
    """Runs in a Ray worker."""
    request = _worker_request(setup)
    return [check_in_worker(item, request) for item in chunk]


def _worker_request(setup: _WorkerSetup) -> CheckRequest:
    global _worker
    if _worker is None or _worker[0] != setup.token:
        try:
            # Relative paths, configuration discovery and the report's paths are all
            # relative to the driver's working folder.
            os.chdir(setup.cwd)
            request = setup.factory(setup.spec)
        except Exception as error:
            raise WorkerSetupError(
                f"a Ray worker on {socket.gethostname()} could not prepare the check in "
                f"{setup.cwd}: {type(error).__name__}: {error} (the Ray engine needs the "
                "inputs, configuration and schema at the same paths on every node)"
            ) from None
        if _identity(request) != setup.identity:
            raise WorkerSetupError(
                f"a Ray worker on {socket.gethostname()} prepared a different check from this "
                "machine's: its newslint version, rules, schema or secured key differ (a key "
                "in NEWSLINT_SECURED_KEY must be set on the cluster too, or read with "
                "--secured-key-file from a shared path)"
            )
        _worker = (setup.token, request)
    return _worker[1]


def _reason(error: BaseException) -> str:
    cause = getattr(error, "cause", None)
    if isinstance(cause, BaseException):  # an exception raised while checking the file
        return (
            f"checking this file on a Ray worker raised {type(cause).__name__}: {cause}; "
            "the file was not checked: please report it"
        )
    return (
        f"the Ray worker checking this file died or was lost ({type(error).__name__}: a crash "
        "in native code, memory exhaustion or a lost node); the file was not checked: "
        "please report it"
    )

"""The online pass: once per run, every link and image of every record, checked once.

The rules of rules/online.py all call ``online_pass``; the first call does the work and the
others read its result (kept on the run's OnlineSettings). Identical URLs are checked once and
the outcome is mapped back to every (path, record, pointer) that uses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import ssl
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import httpx

from rules.link import split_url
from validator.online.cache import OnlineCache
from validator.online.fetch import Fetcher
from validator.online.guard import Guard, Resolver, system_resolver
from validator.online.images import read_local_image
from validator.online.outcome import Kind, Outcome, with_image_size
from validator.online.settings import OnlineSettings
from validator.rule import CheckContext
from validator.summary import RecordSummary

T = TypeVar("T")
# Tests may swap the resolver (a name that resolves offline); None: the system's getaddrinfo.
RESOLVER: Resolver | None = None


@dataclass(frozen=True)
class Use:
    """One place a URL appears: a record's field, or an image with its declared size."""

    kind: Kind
    url: str
    path: str
    record: int
    pointer: str
    width: int | None = None
    height: int | None = None


@dataclass
class PassResult:
    outcomes: dict[tuple[Kind, str], Outcome] = field(default_factory=dict)
    uses: list[Use] = field(default_factory=list)
    network_down: bool = False  # every network attempt failed below HTTP: one notice, not N
    run_timed_out: int = 0  # targets left unchecked when run-timeout struck
    cache_error: str | None = None
    requests: int = 0
    fetched: int = 0  # targets checked over the network in this run
    from_cache: int = 0

    def outcome(self, use: Use) -> Outcome | None:
        return self.outcomes.get((use.kind, use.url))

    def uses_of(self, kind: Kind) -> list[Use]:
        return [use for use in self.uses if use.kind == kind]


def eligible(url: str) -> bool:
    """Only absolute http(s) URLs with a host are checked; the offline link rules report the
    others (link/malformed, link/scheme)."""
    parts = split_url(url)
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return False
    if url != url.strip() or any(ch.isspace() for ch in url):
        return False
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        return False
    return True


def gather(summaries: Sequence[RecordSummary], checks: Sequence[str]) -> list[Use]:
    uses: list[Use] = []
    for summary in summaries:
        if "links" in checks:
            for pointer, url in summary.urls:
                if eligible(url):
                    uses.append(Use("link", url, summary.path, summary.record, pointer))
        if "images" in checks:
            for pointer, url, width, height in summary.images:
                if eligible(url):
                    uses.append(
                        Use("image", url, summary.path, summary.record, pointer, width, height)
                    )
    return uses


def online_pass(summaries: Sequence[RecordSummary], context: CheckContext) -> PassResult | None:
    """The run's pass, done on the first call; None without --online settings."""
    settings = context.online
    if not isinstance(settings, OnlineSettings):
        return None
    state = settings.state
    with state.lock:
        if state.summaries is not summaries or "pass" not in state.results:
            state.summaries = summaries
            state.results["pass"] = _run_pass(summaries, context, settings)
        result: PassResult = state.results["pass"]
        return result


def _run_pass(
    summaries: Sequence[RecordSummary], context: CheckContext, settings: OnlineSettings
) -> PassResult:
    config = settings.config
    started = time.monotonic()
    result = PassResult(uses=gather(summaries, config.checks))
    guard = Guard.from_lists(
        config.allow_private,
        config.allow_hosts,
        config.deny_hosts,
        RESOLVER or system_resolver,
        config.timeout,
    )
    targets: list[tuple[Kind, str]] = list(dict.fromkeys((u.kind, u.url) for u in result.uses))
    pending: list[tuple[Kind, str]] = []
    for kind, url in targets:
        refusal = guard.policy_refusal(httpx.URL(url).raw_host.decode("ascii"))
        if refusal:
            result.outcomes[(kind, url)] = Outcome(
                kind=kind, url=url, state="skipped", error="policy", reason=refusal
            )
        elif kind == "image" and settings.image_dir is not None:
            result.outcomes[(kind, url)] = _local_image(url, settings)
        else:
            pending.append((kind, url))
    now = context.now.timestamp()
    cache = _open_cache(context, settings, result)
    try:
        if cache is not None and pending:
            try:
                cached = cache.get_many(pending, now)
            except Exception as error:  # sqlite3.Error and friends: run without the cache
                result.cache_error = f"result cache not used: {error}"
                cached = {}
            result.outcomes.update(cached)
            result.from_cache = len(cached)
            pending = [target for target in pending if target not in cached]
        if pending:
            deadline = started + config.run_timeout
            fetched: dict[tuple[Kind, str], Outcome]
            fetched, result.requests = _run_async(
                lambda: _fetch_all(pending, settings, guard, deadline)
            )
            result.outcomes.update(fetched)
            result.fetched = len(pending)
            if cache is not None:
                try:
                    cache.put_many(fetched.values(), now)
                except Exception as error:
                    result.cache_error = f"results not cached: {error}"
    finally:
        if cache is not None:
            cache.close()
    attempted = [  # over the network in this run: not from the cache, not from --image-dir
        o
        for o in result.outcomes.values()
        if o.cached_at is None
        and o.method != "FILE"
        and o.state in ("answered", "failed", "network")
    ]
    result.network_down = len(attempted) >= 2 and all(o.state == "network" for o in attempted)
    result.run_timed_out = sum(
        1 for o in result.outcomes.values() if o.state == "skipped" and o.error == "run-timeout"
    )
    if result.cache_error:  # rules have no notes channel: say it on stderr, once
        logging.getLogger("newslint.online").warning("newslint: online %s", result.cache_error)
    return result


def _open_cache(
    context: CheckContext, settings: OnlineSettings, result: PassResult
) -> OnlineCache | None:
    if not settings.use_cache or context.cache_dir is None:
        return None
    try:
        return OnlineCache(
            context.cache_dir, settings.config.cache_ttl, settings.policy_fingerprint()
        )
    except Exception as error:
        result.cache_error = f"result cache not used: {error}"
        return None


def _local_image(url: str, settings: OnlineSettings) -> Outcome:
    from validator.online.images import image_size

    assert settings.image_dir is not None
    cap = max(settings.config.image_bytes, settings.config.max_response_bytes)
    local = read_local_image(url, settings.image_dir, cap)
    base = Outcome(kind="image", url=url, state="skipped", method="FILE")
    if local.path is None:
        tried = ", ".join(str(path) for path in local.tried) or "no usable path"
        return replace(
            base, error="no-file", reason=f"no file for it in --image-dir (tried {tried})"
        )
    if local.error:
        return replace(base, error="no-file", reason=local.error)
    size = image_size(local.data)
    outcome = replace(
        base,
        state="answered",
        status=200,
        reason="OK",
        final_url=str(local.path),
        bytes_read=len(local.data),
        body_truncated=len(local.data) >= cap,
    )
    return with_image_size(outcome, size)


def _ssl_context(settings: OnlineSettings) -> ssl.SSLContext:
    if settings.ca_bundle is not None:
        return ssl.create_default_context(cafile=str(settings.ca_bundle))
    return _default_ssl_context()


@functools.lru_cache(maxsize=1)
def _default_ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()  # certifi's CA bundle, verified host names


async def _fetch_all(
    targets: list[tuple[Kind, str]], settings: OnlineSettings, guard: Guard, deadline: float
) -> tuple[dict[tuple[Kind, str], Outcome], int]:
    outcomes: dict[tuple[Kind, str], Outcome] = {}
    async with Fetcher(settings.config, guard, _ssl_context(settings), deadline) as fetcher:
        tasks = {
            asyncio.ensure_future(_guarded(fetcher, kind, url)): (kind, url)
            for kind, url in targets
        }
        remaining = max(0.0, deadline - time.monotonic())
        done, pending = await asyncio.wait(tasks, timeout=remaining)
        for task in pending:
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*pending, return_exceptions=True)
        for task, (kind, url) in tasks.items():
            if task in done and not task.cancelled():
                outcomes[(kind, url)] = task.result()
            else:
                outcomes[(kind, url)] = Outcome(
                    kind=kind,
                    url=url,
                    state="skipped",
                    error="run-timeout",
                    reason=f"run-timeout ({settings.config.run_timeout:g} s) reached first",
                )
        return outcomes, fetcher.requests


async def _guarded(fetcher: Fetcher, kind: Kind, url: str) -> Outcome:
    try:
        return await fetcher.check(kind, url)
    except asyncio.CancelledError:
        raise
    except Exception as error:  # a bug must not pass a link: it is reported as not evaluated
        return Outcome(
            kind=kind,
            url=url,
            state="skipped",
            error="internal",
            reason=f"internal error while checking: {type(error).__name__}: {error}",
        )


def _run_async(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from synchronous code, even inside a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(factory())
        except BaseException as error:  # handed back to the caller's thread
            box["error"] = error

    thread = threading.Thread(target=target, name="newslint-online")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value

"""The HTTP side of the online checks: one bounded, polite, guarded request chain per URL.

- Links: HEAD first; a HEAD answered with an error is asked again as a ranged GET (many
  servers refuse or mishandle HEAD), whose body is never read. Images: a ranged GET of the
  first ``image-bytes`` bytes only.
- Redirects are followed by hand, at most ``max-redirects``: every hop's scheme must be http or
  https and every hop's host passes the guard (validator.online.guard) again.
- Each request goes to the vetted address itself, with the Host header and TLS server name of
  the URL's host: no second DNS lookup can redirect it.
- Limits: ``concurrency`` requests in flight, ``per-host`` per host with ``host-delay`` between
  the starts of two requests to one host, ``timeout`` per request (connection, headers and the
  bytes read), at most ``max-response-bytes`` of any body read, and the run's deadline.
- Retries with exponential backoff for timeouts, dropped connections, 408, 429 and 5xx;
  Retry-After (seconds or a date) is honoured up to ``max-retry-after``.
- No cookies are kept or sent, no credentials (user:password@ in a URL is dropped), no proxy
  from the environment, no .netrc; ``Accept-Encoding: identity`` so bytes read are bytes sent.
"""

from __future__ import annotations

import asyncio
import errno
import http.cookiejar
import re
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import httpx

from validator import __version__
from validator.online.guard import Guard, GuardError, ResolveError
from validator.online.images import image_size
from validator.online.outcome import Kind, Outcome, with_image_size
from validator.online.settings import OnlineConfig

USER_AGENT = f"newslint/{__version__} (+link check)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_NETWORK_ERRNOS = {
    errno.ECONNREFUSED: ("refused", "connection refused"),
    errno.ENETUNREACH: ("unreachable", "network is unreachable"),
    errno.EHOSTUNREACH: ("unreachable", "no route to host"),
    errno.ENETDOWN: ("unreachable", "network is down"),
    errno.EHOSTDOWN: ("unreachable", "host is down"),
    errno.EADDRNOTAVAIL: ("unreachable", "address not available"),
}


# The userinfo of a URL: everything between "//" and the last "@" of the authority (which, as
# for urlsplit and httpx, ends at the first "/", "?" or "#").
_USERINFO = re.compile(r"^([^/?#:]*:)?//[^/?#]*@")


def without_userinfo(url: str) -> str:
    """``url`` without its ``user:password@``: credentials are never sent, so they need not be
    kept, and every URL an outcome names may end up in a report."""
    return _USERINFO.sub(r"\1//", url, count=1)


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """A cookie policy that neither stores nor returns any cookie."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


@dataclass
class _HostState:
    semaphore: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float = float("-inf")
    head_refused: bool = False  # this host answered HEAD with 405/501: ask GET directly
    network_failure: Outcome | None = None  # refused, unreachable: later URLs skip the attempt


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    method: str
    location: str | None
    retry_after: float | None
    content_type: str | None
    data: bytes = b""
    truncated: bool = False


def _exception_chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def classify_error(error: BaseException, timeout: float) -> tuple[str, str, str]:
    """(state, error kind, text) of a transport exception."""
    if isinstance(error, httpx.ConnectTimeout):
        return "network", "connect-timeout", f"connection timed out after {timeout:g} s"
    if isinstance(error, (httpx.TimeoutException, asyncio.TimeoutError, TimeoutError)):
        return "failed", "timeout", f"no complete answer within {timeout:g} s"
    chain = list(_exception_chain(error))
    if isinstance(error, httpx.ConnectError):
        for item in chain:
            if isinstance(item, ssl.SSLError):
                return "failed", "tls", f"TLS error: {item.reason or item}"
        for item in chain:
            if isinstance(item, OSError) and item.errno in _NETWORK_ERRNOS:
                kind, text = _NETWORK_ERRNOS[item.errno]
                return "network", kind, text
        return "network", "connect", f"cannot connect: {error}"
    if isinstance(error, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)):
        return "failed", "protocol", f"connection broken: {error or type(error).__name__}"
    return "failed", "http", f"{type(error).__name__}: {error}"


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None when it is
    absent or unreadable: a server's odd header must never fail the check."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # not "²", a digit to isdigit() only
        return float(value)  # of any length: a 5,000-digit wait is inf, too long to wait
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # year 99999999999: overflow
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - now)


def _host_header(url: httpx.URL) -> str:
    host = url.raw_host.decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{url.port}" if url.port is not None else host


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class Fetcher:
    """Checks URLs within the limits of one run; use as an async context manager."""

    def __init__(
        self, config: OnlineConfig, guard: Guard, ssl_context: ssl.SSLContext, deadline: float
    ) -> None:
        self.config = config
        self.guard = guard
        self.ssl_context = ssl_context
        self.deadline = deadline  # time.monotonic() after which no retry is started
        self._global = asyncio.Semaphore(config.concurrency)
        self._hosts: dict[str, _HostState] = {}
        self._clients: dict[str, httpx.AsyncClient] = {}
        self.requests = 0  # sent, for the record

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            try:
                await client.aclose()
            except Exception:  # closing is best effort
                continue

    def _client(self, origin: str) -> httpx.AsyncClient:
        # One client per origin (scheme, host, port): a pooled TLS connection is only ever
        # reused for the host name it was verified for.
        client = self._clients.get(origin)
        if client is None:
            timeout = self.config.timeout
            client = httpx.AsyncClient(
                verify=self.ssl_context,
                trust_env=False,
                follow_redirects=False,
                cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
                timeout=httpx.Timeout(timeout),
                limits=httpx.Limits(
                    max_connections=self.config.per_host,
                    max_keepalive_connections=self.config.per_host,
                    keepalive_expiry=5.0,
                ),
                headers={"User-Agent": USER_AGENT},
            )
            self._clients[origin] = client
        return client

    def _host(self, key: str) -> _HostState:
        state = self._hosts.get(key)
        if state is None:
            state = _HostState(asyncio.Semaphore(self.config.per_host))
            self._hosts[key] = state
        return state

    async def check(self, kind: Kind, url: str) -> Outcome:
        """The outcome of ``url``, retried as configured."""
        attempt = 0
        while True:
            attempt += 1
            outcome = replace(await self._follow(kind, url), attempts=attempt)
            delay = self._retry_delay(outcome, attempt)
            if delay is None or time.monotonic() + delay >= self.deadline:
                break
            await asyncio.sleep(delay)
        if outcome.state == "network" and outcome.host:
            self._host(outcome.host).network_failure = outcome
        return outcome

    def _retry_delay(self, outcome: Outcome, attempt: int) -> float | None:
        if attempt > self.config.retries:
            return None
        backoff = self.config.backoff * float(1 << (attempt - 1))
        if outcome.state == "failed" and outcome.error in ("timeout", "protocol"):
            return backoff
        if outcome.state == "network" and outcome.error == "connect-timeout":
            return backoff
        if outcome.state != "answered" or outcome.status not in RETRY_STATUSES:
            return None
        if outcome.retry_after is not None:
            if outcome.retry_after > self.config.max_retry_after:
                return None  # reported as not evaluated, with the delay asked for
            return max(outcome.retry_after, backoff)
        return backoff

    async def _follow(self, kind: Kind, url: str) -> Outcome:
        base = Outcome(kind=kind, url=url, state="skipped")
        current = without_userinfo(url)  # what the outcome shows: never a password
        redirects: list[str] = []
        seen = {current}
        while True:
            try:
                parsed = httpx.URL(current)
            except (httpx.InvalidURL, ValueError) as error:
                return replace(
                    base,
                    state="failed",
                    error="url",
                    reason=f"bad URL {current}: {error}",
                    redirects=tuple(redirects),
                )
            if parsed.scheme not in ("http", "https") or not parsed.host:
                return replace(
                    base,
                    error="scheme",
                    reason=f"redirect to {current} was not followed (only http and https are)",
                    redirects=tuple(redirects),
                )
            port = parsed.port or (443 if parsed.scheme == "https" else 80)
            # The IDNA (xn--) form, as sent in the Host header: the host lists, the guard and
            # DNS must all judge the name that is contacted, however the URL spelled it.
            host = parsed.raw_host.decode("ascii")
            host_key = f"{host}:{port}"
            state = self._host(host_key)
            hop = replace(base, host=host_key, redirects=tuple(redirects), final_url=current)
            if state.network_failure is not None:
                failure = state.network_failure
                return replace(hop, state="network", error=failure.error, reason=failure.reason)
            try:
                addresses = await self.guard.addresses(host, port)
            except GuardError as error:
                return replace(hop, state="skipped", error="guard", reason=str(error))
            except ResolveError as error:
                return replace(hop, state="network", error="dns", reason=str(error))
            answer = await self._request(kind, parsed, addresses, state)
            if isinstance(answer, Outcome):
                return replace(hop, state=answer.state, error=answer.error, reason=answer.reason)
            if answer.status in REDIRECT_STATUSES and answer.location:
                target = _redirect_target(current, answer.location)
                if target is None:
                    return replace(
                        hop,
                        state="failed",
                        error="url",
                        status=answer.status,
                        reason=f"bad redirect Location {without_userinfo(answer.location)!r}",
                    )
                if target in seen:
                    return replace(
                        hop,
                        state="failed",
                        error="loop",
                        status=answer.status,
                        reason=f"redirect loop back to {target}",
                    )
                if len(redirects) >= self.config.max_redirects:
                    return replace(
                        hop,
                        state="failed",
                        error="redirects",
                        status=answer.status,
                        reason=f"more than {self.config.max_redirects} redirects",
                    )
                seen.add(target)
                redirects.append(target)
                current = target
                continue
            return self._answered(hop, answer)

    def _answered(self, hop: Outcome, answer: _Answer) -> Outcome:
        outcome = replace(
            hop,
            state="answered",
            status=answer.status,
            reason=answer.reason,
            method=answer.method,
            retry_after=answer.retry_after,
            content_type=answer.content_type,
            bytes_read=len(answer.data),
            body_truncated=answer.truncated,
        )
        if hop.kind == "image" and 200 <= answer.status < 300:
            outcome = with_image_size(outcome, image_size(answer.data))
        return outcome

    async def _request(
        self, kind: Kind, url: httpx.URL, addresses: list[str], state: _HostState
    ) -> _Answer | Outcome:
        """One hop: HEAD (links) or ranged GET, at the first vetted address that connects."""
        method = "GET" if kind == "image" or state.head_refused else "HEAD"
        answer = await self._send_pinned(kind, method, url, addresses, state)
        if (
            method == "HEAD"
            and isinstance(answer, _Answer)
            and answer.status >= 400
            and answer.status != 429
            and not (answer.status == 503 and answer.retry_after is not None)
        ):
            if answer.status in (405, 501):
                state.head_refused = True
            answer = await self._send_pinned(kind, "GET", url, addresses, state)
        return answer

    async def _send_pinned(
        self, kind: Kind, method: str, url: httpx.URL, addresses: list[str], state: _HostState
    ) -> _Answer | Outcome:
        failure: Outcome | None = None
        for address in addresses:
            answer = await self._send_one(kind, method, url, address, state)
            if isinstance(answer, _Answer) or answer.state != "network":
                return answer
            failure = answer  # the next address of the host may still connect
        assert failure is not None
        return failure

    async def _send_one(
        self, kind: Kind, method: str, url: httpx.URL, address: str, state: _HostState
    ) -> _Answer | Outcome:
        pinned = url.copy_with(host=address, username=None, password=None, fragment=None)
        headers = {
            "Host": _host_header(url),
            "Accept": "image/*,*/*;q=0.8" if kind == "image" else "*/*",
            "Accept-Encoding": "identity",
        }
        cap = min(self.config.image_bytes, self.config.max_response_bytes)
        if method == "GET":
            headers["Range"] = f"bytes=0-{cap - 1}" if kind == "image" else "bytes=0-0"
        extensions: dict[str, Any] = {}
        # A fully qualified "news.example." is the same host, but certificates never name it
        # with the dot: verify (and send SNI for) the name without it, as browsers do.
        host = url.raw_host.decode("ascii").rstrip(".")
        if url.scheme == "https" and not _is_ip(host):
            extensions["sni_hostname"] = host
        origin = f"{url.scheme}://{_host_header(url)}"
        client = self._client(origin)
        read_limit = cap if kind == "image" else 0
        timeout = self.config.timeout
        async with state.semaphore:
            async with state.lock:
                wait = state.last_start + self.config.host_delay - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                state.last_start = time.monotonic()
            async with self._global:
                self.requests += 1
                try:
                    request = client.build_request(
                        method, pinned, headers=headers, extensions=extensions
                    )
                    return await asyncio.wait_for(
                        self._exchange(client, request, method, read_limit), timeout
                    )
                except (httpx.HTTPError, OSError, asyncio.TimeoutError, ssl.SSLError) as error:
                    state_name, kind_name, text = classify_error(error, timeout)
                    return Outcome(
                        kind=kind,
                        url=str(url),
                        state=state_name,  # type: ignore[arg-type]
                        error=kind_name,
                        reason=text,
                    )

    async def _exchange(
        self, client: httpx.AsyncClient, request: httpx.Request, method: str, read_limit: int
    ) -> _Answer:
        response = await client.send(request, stream=True)
        try:
            data = bytearray()
            truncated = False
            if read_limit > 0 and 200 <= response.status_code < 300:
                async for chunk in response.aiter_raw():
                    data += chunk
                    if len(data) >= read_limit:
                        truncated = len(data) > read_limit or _more_than(response, read_limit)
                        del data[read_limit:]
                        break
            return _Answer(
                status=response.status_code,
                reason=response.reason_phrase,
                method=method,
                location=response.headers.get("location"),
                retry_after=parse_retry_after(response.headers.get("retry-after"), time.time()),
                content_type=response.headers.get("content-type"),
                data=bytes(data),
                truncated=truncated,
            )
        finally:
            await response.aclose()


def _redirect_target(current: str, location: str) -> str | None:
    """The absolute URL a Location header sends to, without userinfo; None when malformed
    (urljoin raises ValueError on a broken IPv6 literal, for one)."""
    try:
        return without_userinfo(urljoin(current, location.strip()))
    except ValueError:
        return None


def _more_than(response: httpx.Response, count: int) -> bool:
    """Whether the whole resource is longer than ``count`` bytes, by its headers."""
    total = header_int(response.headers.get("content-range", "").rpartition("/")[2])
    if total is not None:
        return total > count
    length = header_int(response.headers.get("content-length", ""))
    return length is None or length > count


def header_int(text: str) -> int | None:
    """A header's non-negative integer, or None. ASCII digits only (str.isdigit() also
    accepts "²", which int() refuses) and at most 30 of them (int() refuses 4,300)."""
    if text.isascii() and text.isdigit() and len(text) <= 30:
        return int(text)
    return None

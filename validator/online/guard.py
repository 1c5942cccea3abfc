"""The SSRF guard: which hosts and addresses the online checks may contact.

A record is untrusted input, so its URLs must not make newslint a proxy into the network it
runs in. Every host (the link's, and every redirect's) is resolved once per run, in a thread,
and every address it resolves to must be a global unicast address - not loopback, private,
link-local, shared, reserved, multicast, unspecified or documentation space, also when wrapped
in an IPv6 form (IPv4-mapped, IPv4-compatible, 6to4, Teredo, NAT64) - unless the
configuration allows it (``allow-private``). The request then goes to the vetted address
itself (the Host header and TLS server name stay the host's), so a second DNS answer cannot
swap in another address between the check and the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import ipaddress
import socket
import threading
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rules.link import private_host_reason
from validator.online.settings import IPNetwork, parse_allow_private

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

DNS_LOOKUPS = 16  # getaddrinfo threads at once
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
# Non-public space this Python's ipaddress still counts as global: deprecated site-local
# addresses (RFC 3879, still routed inside some networks) and IPv6 documentation space added
# in 2024 (RFC 9637).
_ALSO_REFUSED = (
    (ipaddress.ip_network("fec0::/10"), "a site-local"),
    (ipaddress.ip_network("3fff::/20"), "a documentation"),
)


class GuardError(Exception):
    """The host may not be contacted; the message says why."""


class ResolveError(Exception):
    """The host name did not resolve (a network-level failure)."""


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries, for the forms that route to it."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def address_refusal(address: IPAddress | str) -> str | None:
    """Why this address must not be contacted, or None for a global unicast address."""
    if isinstance(address, str):
        address = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    inner = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    if inner is not None:
        reason = address_refusal(inner)
        if reason:
            return f"{reason} (inside {address})"
        assert isinstance(address, ipaddress.IPv6Address)
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d on the wire
            return None
    reason = private_host_reason(str(address))
    if reason:
        return reason.replace("host ", "address ", 1)
    for network, label in _ALSO_REFUSED:
        if address.version == network.version and address in network:
            return f"address {address} is {label} address"
    if not address.is_global or address.is_multicast:
        return f"address {address} is not a public unicast address"
    return None


def host_matches(host: str, patterns: Sequence[str]) -> str | None:
    """The first glob of ``patterns`` that matches ``host`` (lower-case, no trailing dot)."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        if fnmatch.fnmatchcase(host, pattern):
            return pattern
    return None


def _settle(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if future.done():  # cancelled meanwhile (a timeout)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, by getaddrinfo in a daemon thread: a lookup that
    hangs past its timeout is abandoned and never holds up the end of the run."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def lookup() -> None:
        value: Any = None
        failure: BaseException | None = None
        try:
            value = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except BaseException as error:  # handed to the waiting coroutine
            failure = error
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            loop.call_soon_threadsafe(_settle, future, value, failure)

    threading.Thread(target=lookup, name="newslint-dns", daemon=True).start()
    try:
        infos = await future
    except (socket.gaierror, UnicodeError) as error:
        raise ResolveError(f"DNS lookup of {host} failed: {error}") from None
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ResolveError(f"DNS lookup of {host} returned no address")
    return addresses


@dataclass
class Guard:
    """Decides, per host, whether it may be contacted and at which addresses."""

    allow_networks: list[IPNetwork]
    allow_hosts_private: list[str]  # host names allow-private lets through whatever they resolve to
    allow_hosts: list[str]  # when non-empty: only these hosts are checked
    deny_hosts: list[str]
    resolver: Resolver = system_resolver
    timeout: float = 10.0

    def __post_init__(self) -> None:
        self._resolved: dict[tuple[str, int], asyncio.Future[list[str]]] = {}
        self._lookups: asyncio.Semaphore | None = None  # DNS lookups at once (made in the loop)

    @classmethod
    def from_lists(
        cls,
        allow_private: Iterable[str],
        allow_hosts: Sequence[str],
        deny_hosts: Sequence[str],
        resolver: Resolver = system_resolver,
        timeout: float = 10.0,
    ) -> Guard:
        networks, hosts = parse_allow_private(allow_private)
        return cls(networks, hosts, list(allow_hosts), list(deny_hosts), resolver, timeout)

    def policy_refusal(self, host: str) -> str | None:
        """Why the lists forbid this host (no DNS needed), or None."""
        denied = host_matches(host, self.deny_hosts)
        if denied:
            return f"host {host} matches deny-hosts entry {denied!r}"
        if self.allow_hosts and not host_matches(host, self.allow_hosts):
            return f"host {host} is not in allow-hosts"
        return None

    def _allowed(self, address: IPAddress) -> bool:
        inner = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
        if inner is not None and self._allowed(inner):
            return True
        return any(
            address in network
            for network in self.allow_networks
            if network.version == address.version
        )

    async def _resolve(self, host: str, port: int) -> list[str]:
        if self._lookups is None:
            self._lookups = asyncio.Semaphore(DNS_LOOKUPS)
        async with self._lookups:
            return await asyncio.wait_for(self.resolver(host, port), self.timeout)

    async def addresses(self, host: str, port: int) -> list[str]:
        """The vetted addresses to connect to for ``host``: GuardError if it may not be
        contacted, ResolveError if it does not resolve. Every address the name resolves to
        must pass; one refused address refuses the host."""
        reason = self.policy_refusal(host)
        if reason:
            raise GuardError(reason)
        literal = _ip_literal(host)
        name_allowed = host_matches(host, self.allow_hosts_private) is not None
        if literal is None and not name_allowed:
            local = private_host_reason(host)
            if local and "local name" in local:
                raise GuardError(f"{local} (allow it with allow-private)")
        if literal is not None:
            resolved = [str(literal)]
        else:
            key = (host, port)
            if key not in self._resolved:
                future = asyncio.ensure_future(self._resolve(host, port))
                self._resolved[key] = future
            try:
                resolved = await asyncio.shield(self._resolved[key])
            except asyncio.TimeoutError:
                raise ResolveError(f"DNS lookup of {host} timed out") from None
        for text in resolved:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            if name_allowed or self._allowed(address):
                continue
            refusal = address_refusal(address)
            if refusal:
                shown = refusal if literal is not None else f"host {host} resolves to {refusal}"
                raise GuardError(f"{shown} (allow it with allow-private)")
        return resolved


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None

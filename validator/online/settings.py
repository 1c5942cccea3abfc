"""The ``[online]`` table of the configuration, validated; and the per-run state it carries.

Keys are kebab-case; unknown keys and bad values are a ConfigError naming the key.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from validator.config import ConfigError

KIB = 1024
Check = Literal["links", "images"]
ALL_CHECKS: tuple[Check, ...] = ("links", "images")
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_DOTTED = re.compile(r"^[0-9.]+$")
_HOST_GLOB = re.compile(r"^[a-z0-9*?._\-\[\]]+$")
_GLOB_CHARS = frozenset("*?[]")
_URL_DELIMITERS = frozenset("/\\:@#%?[] \t")  # never part of a host name


def ascii_host_pattern(pattern: str) -> str:
    """``pattern`` (a host name or glob, lower case) with its Unicode labels in their IDNA
    (``xn--``) form: hosts are matched as URLs send them, ``bücher.example`` as
    ``xn--bcher-kva.example``, so both spellings of a list entry mean the same host."""
    labels = pattern.split(".")
    for index, label in enumerate(labels):
        if label.isascii():
            continue
        if _GLOB_CHARS.intersection(label):
            raise ValueError(f"{pattern!r}: write a label with wildcards in its xn-- form")
        if _URL_DELIMITERS.intersection(label):
            raise ValueError(f"{pattern!r} is not a host name")
        try:  # httpx's own encoding (IDNA 2008), the one the Host header will carry
            labels[index] = httpx.URL(f"http://{label}/").raw_host.decode("ascii")
        except httpx.InvalidURL as error:
            raise ValueError(f"{pattern!r} is not a valid host name: {error}") from None
    return ".".join(labels)


def parse_allow_private(entries: Iterable[str]) -> tuple[list[IPNetwork], list[str]]:
    """``allow-private`` entries: IP addresses or CIDR networks, and host names (globs)."""
    networks: list[IPNetwork] = []
    hosts: list[str] = []
    for raw in entries:
        entry = raw.strip().lower()
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        if _DOTTED.match(entry) or ":" in entry or "/" in entry:
            raise ValueError(f"{raw!r} is not an IP address or network")
        entry = ascii_host_pattern(entry)
        if not _HOST_GLOB.match(entry):
            raise ValueError(f"{raw!r} is not a host name, an IP address or a network")
        hosts.append(entry.rstrip("."))
    return networks, hosts


class OnlineConfig(BaseModel):
    """What the ``[online]`` table may hold (README "Online checks" lists the keys)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        alias_generator=lambda name: name.replace("_", "-"),
    )

    checks: list[Check] = Field(
        default_factory=lambda: list(ALL_CHECKS), description="what the online pass checks"
    )
    timeout: float = Field(10.0, gt=0, le=600, description="seconds for one request")
    run_timeout: float = Field(600.0, gt=0, description="seconds for the whole online pass")
    concurrency: int = Field(32, ge=1, le=1024, description="requests in flight at once")
    per_host: int = Field(10, ge=1, le=256, description="requests in flight to one host")
    host_delay: float = Field(
        0.1, ge=0, le=60, description="seconds between the starts of two requests to one host"
    )
    retries: int = Field(2, ge=0, le=10, description="retries of a timeout, 5xx or 429")
    backoff: float = Field(0.5, ge=0, le=60, description="first retry delay; doubles each time")
    max_retry_after: float = Field(
        30.0, ge=0, description="longest Retry-After honoured; longer: not evaluated"
    )
    max_redirects: int = Field(10, ge=0, le=50)
    max_response_bytes: int = Field(1024 * KIB, ge=1, description="most body bytes ever read")
    image_bytes: int = Field(64 * KIB, ge=64, description="bytes fetched to read an image size")
    image_dir: str | None = Field(None, description="read images from here (like --image-dir)")
    accept_status: list[int] = Field(
        default_factory=list, description="status codes that count as a live link (e.g. 999)"
    )
    allow_private: list[str] = Field(
        default_factory=list,
        description="addresses (IP or CIDR) and host names the SSRF guard lets through",
    )
    allow_hosts: list[str] = Field(
        default_factory=list, description="host globs: when given, only these hosts are checked"
    )
    deny_hosts: list[str] = Field(default_factory=list, description="host globs never contacted")
    cache_ttl: float = Field(
        86400.0, ge=0, description="seconds a cached result stays valid (0: no cache)"
    )
    ca_bundle: str | None = Field(
        None, description="PEM file of CA certificates to trust instead of the default ones"
    )

    @field_validator("accept_status")
    @classmethod
    def _statuses(cls, value: list[int]) -> list[int]:
        for status in value:
            if not 100 <= status <= 999:
                raise ValueError(f"{status} is not an HTTP status code (100-999)")
        return value

    @field_validator("allow_private")
    @classmethod
    def _private(cls, value: list[str]) -> list[str]:
        for entry in value:
            if not entry.strip():
                raise ValueError("empty entry")
        parse_allow_private(value)  # raises ValueError naming the bad entry
        return value

    @field_validator("allow_hosts", "deny_hosts")
    @classmethod
    def _globs(cls, value: list[str]) -> list[str]:
        for entry in value:
            if not entry.strip():
                raise ValueError("empty host pattern")
        return [ascii_host_pattern(entry.strip().lower().rstrip(".")) for entry in value]


@dataclass
class RunState:
    """What one run of the online rules shares: the results of the pass, computed once."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    summaries: Any = None  # the summaries the results belong to (kept so its id stays unique)
    results: dict[str, Any] = field(default_factory=dict)  # kind -> its PassResult


@dataclass(frozen=True)
class OnlineSettings:
    """The validated settings of one run's online checks (CheckContext.online)."""

    config: OnlineConfig
    source: str
    image_dir: Path | None = None
    use_cache: bool = True
    ca_bundle: Path | None = None
    state: RunState = field(default_factory=RunState, compare=False, repr=False)

    def policy_fingerprint(self) -> str:
        """What a cached result depends on besides its URL: the guard, the host lists (they
        stop redirect hops too), the redirect policy and the certificates trusted."""
        relevant = {
            "allow-private": sorted(self.config.allow_private),
            "allow-hosts": sorted(self.config.allow_hosts),
            "deny-hosts": sorted(self.config.deny_hosts),
            "max-redirects": self.config.max_redirects,
            "ca-bundle": self._ca_bundle_digest(),
            "version": 2,  # 2: final URLs are stored without userinfo
        }
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]

    def _ca_bundle_digest(self) -> str | None:
        """The CA file's content digest: editing the file changes what is trusted."""
        if self.ca_bundle is None:
            return None
        try:
            return hashlib.sha256(self.ca_bundle.read_bytes()).hexdigest()
        except OSError:
            return str(self.ca_bundle)


def _ca_bundle_problem(path: Path) -> str | None:
    """Why ``path`` cannot serve as the trusted CA certificates (not PEM, no certificate), or
    None."""
    try:
        ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError) as error:
        return f"not a PEM file of CA certificates ({error})"
    return None


def _prefix(source: str) -> str:
    return "tool.newslint.online" if source.endswith("pyproject.toml") else "online"


def parse_online_settings(
    raw: dict[str, Any] | None,
    source: str,
    root: Path,
    image_dir: Path | None,
    use_cache: bool = True,
) -> OnlineSettings:
    """Validate the ``[online]`` table. ``root`` resolves relative paths (the config's
    folder); ``image_dir`` (from --image-dir) wins over the ``image-dir`` key; ``use_cache``
    False (--no-cache) bypasses the result cache."""
    try:
        config = OnlineConfig.model_validate(raw or {})
    except ValidationError as error:
        prefix = _prefix(source)
        lines = [f"{source}: invalid online settings"]
        for item in error.errors():
            key = ".".join([prefix, *[str(part) for part in item["loc"]]])
            lines.append(f"  {key}: {item['msg']}")
        raise ConfigError("\n".join(lines)) from None
    folder = image_dir
    if folder is None and config.image_dir:
        folder = root / config.image_dir
        if not folder.is_dir():
            raise ConfigError(f"{source}: {_prefix(source)}.image-dir: {folder} is not a folder")
    ca_bundle = None
    if config.ca_bundle:
        ca_bundle = root / config.ca_bundle
        if not ca_bundle.is_file():
            raise ConfigError(f"{source}: {_prefix(source)}.ca-bundle: {ca_bundle} is not a file")
        problem = _ca_bundle_problem(ca_bundle)
        if problem:  # found now, not as a crash in the middle of the online pass
            raise ConfigError(f"{source}: {_prefix(source)}.ca-bundle: {ca_bundle}: {problem}")
    return OnlineSettings(
        config=config,
        source=source,
        image_dir=folder,
        use_cache=use_cache and config.cache_ttl > 0,
        ca_bundle=ca_bundle,
    )

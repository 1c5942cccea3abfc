"""link/: the record's URLs, checked offline: well-formed, public, consistent.

Whether a link still resolves is the job of the opt-in online checks, not of these rules.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import SplitResult, urlsplit

from rules.meta import CONTROL, describe_control
from validator.findings import Problem, Severity
from validator.records import Record
from validator.rule import CheckContext, Rule

URL_FIELDS = ("webUrl", "originalUrl", "ampWebUrl", "cdnAmpWebUrl")
RELATED_URL_FIELDS = ("webUrl", "ampWebUrl", "cdnAmpWebUrl")
AMP_CACHE_DOMAIN = "cdn.ampproject.org"
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")


def iter_urls(record: Record) -> Iterator[tuple[str, str]]:
    """(pointer, url) for every URL field of the record and of its related items."""
    found: list[tuple[str, str]] = record.remember("link.urls", lambda: list(_find_urls(record)))
    return iter(found)


def _find_urls(record: Record) -> Iterator[tuple[str, str]]:
    data = record.data or {}
    for name in URL_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            yield f"/{name}", value
    for index, item in enumerate(related_items(record)):
        for name in RELATED_URL_FIELDS:
            value = item.get(name)
            if isinstance(value, str):
                yield f"/related/{index}/{name}", value


def related_items(record: Record) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = record.remember("link.related", lambda: _related_items(record))
    return found


def _related_items(record: Record) -> list[dict[str, Any]]:
    related = record.get("related")
    if not isinstance(related, list):
        return []
    return [item if isinstance(item, dict) else {} for item in related]


# The common URL - http(s), a host of letters, digits, dots and hyphens, no port, user or
# brackets, in printable ASCII without spaces - split as urlsplit splits it, in one match.
_PLAIN_URL = re.compile(r"(https?)://([A-Za-z0-9.\-]+)((?:/[^?#]*)?)(?:\?([^#]*))?(?:#(.*))?")


@lru_cache(maxsize=4096)  # the same URLs are read by several rules of one record
def split_url(url: str) -> SplitResult | None:
    if url.isascii() and url.isprintable() and " " not in url:
        plain = _PLAIN_URL.fullmatch(url)
        if plain is not None:
            return SplitResult._make(plain.groups(""))
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    return parts


@lru_cache(maxsize=4096)  # SplitResult works its hostname out anew on every access
def url_host(url: str) -> str | None:
    """The URL's host name, lower case (SplitResult.hostname), or None if it has none."""
    parts = split_url(url)
    if parts is None:
        return None
    netloc = parts.netloc
    if "@" in netloc or "[" in netloc or ":" in netloc or "%" in netloc:
        return parts.hostname
    return netloc.lower() or None  # what hostname gives for a bare host


@lru_cache(maxsize=4096)
def url_key(url: str) -> str:
    """A URL reduced for comparison: no scheme, lower-case host, no 'www.', no trailing '/'."""
    parts = split_url(url)
    hostname = url_host(url)
    if parts is None or not hostname:
        return url.strip()
    host = hostname.removeprefix("www.")
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"


@lru_cache(maxsize=4096)
def malformed_reason(url: str) -> str | None:
    if url != url.strip():
        return "has leading or trailing spaces"
    if not url.isprintable() and (control := CONTROL.search(url)) is not None:
        return f"contains a {describe_control(control.group())}"
    # Printable text without ' ' has no white space: most URLs skip the search.
    if (not url.isprintable() or " " in url) and _SPACE.search(url):
        return "contains white space (encode it as %20)"
    parts = split_url(url)
    if parts is None:
        return "cannot be parsed (bad port or brackets)"
    if not parts.scheme:
        return "is relative: it has no scheme and host (use an absolute https:// URL)"
    if parts.scheme in ("http", "https"):
        if not parts.netloc:
            return "has no host"
        host = url_host(url) or ""
        if not host:
            return "has no host"
        if _is_ip(host):
            return None
        if "." not in host and host != "localhost":
            return f"host {host!r} is not a domain name"
        if not _domain_ok(host.rstrip(".")):
            return f"host {host!r} is not a valid domain name"
    return None


_SPACE = re.compile(r"\s")
_LABEL = r"(?!-)[\w-]{1,63}"  # letters, digits, '_' and '-', not leading '-'
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")


def _domain_ok(host: str) -> bool:
    """Whether every '.'-separated label of host is a _LABEL (one match for all labels)."""
    return _DOMAIN.fullmatch(host) is not None


_ASCII_DIGITS = frozenset("0123456789")


def _is_ip(host: str) -> bool:
    probe = host.strip("[]")
    # An IPv4 address ends in a digit and an IPv6 one has colons: most hosts are neither,
    # and ipaddress would raise twice to say so.
    if not probe or (":" not in probe and probe[-1] not in _ASCII_DIGITS):
        return False
    try:
        ipaddress.ip_address(probe)
    except ValueError:
        return False
    return True


class Malformed(Rule):
    slug = "link/malformed"
    code = "LK001"
    severity = Severity.ERROR
    summary = "URL is malformed or relative"
    version = "2"  # 2: control characters (NUL, C1) are reported, not only white space
    what = (
        "Reports a webUrl, originalUrl, ampWebUrl or cdnAmpWebUrl (of the record or a related "
        "item) that is relative, contains spaces or control characters, has no host or an "
        "invalid host name."
    )
    why = "Readers and crawlers cannot follow it; relative URLs break once the record moves."
    bad = 'webUrl: "/news/2020/10/02/story"'
    good = 'webUrl: "https://www.example-herald.org/news/2020/10/02/story"'

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        for pointer, url in iter_urls(record):
            reason = malformed_reason(url)
            if reason:
                yield Problem(f"URL {reason}", pointer=pointer)


class Scheme(Rule):
    slug = "link/scheme"
    code = "LK002"
    severity = Severity.ERROR
    summary = "URL scheme is not http or https"
    what = "Reports URL fields whose scheme is anything but http or https (javascript:, ftp:, ...)."
    why = "Other schemes do not open for readers, and javascript: or data: URLs are unsafe."
    bad = 'webUrl: "javascript:alert(1)"'
    good = 'webUrl: "https://www.example-herald.org/story"'

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        for pointer, url in iter_urls(record):
            parts = split_url(url)
            if parts is not None and parts.scheme and parts.scheme.lower() not in ("http", "https"):
                yield Problem(f"URL scheme {parts.scheme!r} is not http or https", pointer=pointer)


@lru_cache(maxsize=4096)
def private_host_reason(host: str) -> str | None:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        return f"host {host!r} is a local name"
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    for label, flagged in (  # the specific kinds first: Python counts them all as private
        ("a loopback", address.is_loopback),
        ("a link-local", address.is_link_local),
        ("a multicast", address.is_multicast),
        ("an unspecified", address.is_unspecified),
        ("a reserved", address.is_reserved),
        ("a private", address.is_private),
        ("a non-public (shared or special-purpose)", not address.is_global),
    ):
        if flagged:
            return f"host {host} is {label} address"
    return None


class PrivateHost(Rule):
    slug = "link/private-host"
    code = "LK003"
    severity = Severity.ERROR
    summary = "URL points at localhost or a private or reserved address"
    what = (
        "Reports URL fields whose host is localhost (or *.localhost, *.local, *.internal) or an "
        "IP literal that is loopback, private, link-local, multicast or reserved."
    )
    why = (
        "Such links leaked from a staging system and are dead for readers; fetching them from "
        "a server is a request-forgery risk."
    )
    bad = 'webUrl: "http://10.0.0.12/story"'
    good = 'webUrl: "https://www.example-herald.org/story"'

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        for pointer, url in iter_urls(record):
            host = url_host(url)
            if not host:
                continue
            reason = private_host_reason(host)
            if reason:
                yield Problem(f"URL {reason}", pointer=pointer)


@lru_cache(maxsize=1024)  # records of one publisher share their hosts
def amp_cache_subdomain(host: str) -> str:
    """The Google AMP Cache subdomain for a publisher host (amp.dev's cache URL format):
    IDN-decoded, '-' doubled, '.' to '-', '0-…-0' around a label with '--' at 3-4, IDN-encoded;
    the base32 SHA-256 of the host when that is not a valid label of at most 63 characters."""
    host = _ascii_host(host.lower().rstrip("."))
    if "." not in host or len(host) > 63:  # as amp-toolbox: these take the fallback
        return _amp_hash_subdomain(host)
    try:  # RFC 3492 punycode, the inverse of the encoding below (not IDNA 2008 rules)
        unicode_host = ".".join(
            part[4:].encode("ascii").decode("punycode") if part.startswith("xn--") else part
            for part in host.split(".")
        )
    except UnicodeError:
        return _amp_hash_subdomain(host)
    label = unicode_host.replace("-", "--").replace(".", "-")
    if not label or label.startswith("-") or label.endswith("-"):
        return _amp_hash_subdomain(host)  # e.g. an empty label: not a valid DNS label
    if label[2:4] == "--":
        label = f"0-{label}-0"
    if not label.isascii() and _mixes_directions(label):  # ASCII is never right-to-left
        return _amp_hash_subdomain(host)
    if not label.isascii():
        try:
            label = "xn--" + label.encode("punycode").decode("ascii")
        except UnicodeError:
            return _amp_hash_subdomain(host)
    if len(label) > 63:
        return _amp_hash_subdomain(host)
    return label


def _ascii_host(host: str) -> str:
    """The host as DNS carries it: non-ASCII labels punycode-encoded (RFC 3492)."""
    if host.isascii():
        return host
    try:
        return ".".join(
            part if part.isascii() else "xn--" + part.encode("punycode").decode("ascii")
            for part in host.split(".")
        )
    except UnicodeError:
        return host


def _mixes_directions(text: str) -> bool:
    directions = {unicodedata.bidirectional(ch) for ch in text}
    return "L" in directions and bool(directions & {"R", "AL"})


def _amp_hash_subdomain(host: str) -> str:
    digest = hashlib.sha256(host.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


def expected_amp_cache_url(amp_url: str) -> str | None:
    parts = split_url(amp_url)
    host = url_host(amp_url)
    if parts is None or parts.scheme not in ("http", "https") or not host:
        return None
    secure = "s/" if parts.scheme == "https" else ""
    rest = parts.netloc + parts.path + (f"?{parts.query}" if parts.query else "")
    subdomain = amp_cache_subdomain(host)
    return f"https://{subdomain}.{AMP_CACHE_DOMAIN}/c/{secure}{rest}"


def _amp_cache_problems(item: dict[str, Any], prefix: str) -> Iterator[Problem]:
    cdn = item.get("cdnAmpWebUrl")
    amp = item.get("ampWebUrl")
    if not isinstance(cdn, str):
        return
    if not isinstance(amp, str):
        yield Problem(
            "cdnAmpWebUrl is given but ampWebUrl is not: the cache URL has no source",
            pointer=f"{prefix}/cdnAmpWebUrl",
        )
        return
    expected = expected_amp_cache_url(amp)
    if expected is None:
        return  # the malformed ampWebUrl is reported by link/malformed or link/scheme
    if cdn != expected and _normalise_cache_url(cdn) != _normalise_cache_url(expected):
        yield Problem(
            f"cdnAmpWebUrl is not the Google AMP Cache URL of ampWebUrl; expected {expected}",
            pointer=f"{prefix}/cdnAmpWebUrl",
        )


def _normalise_cache_url(url: str) -> str:
    parts = split_url(url)
    if parts is None:
        return url
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}{query}"


class AmpCacheMismatch(Rule):
    slug = "link/amp-cache-mismatch"
    code = "LK004"
    severity = Severity.WARNING
    summary = "cdnAmpWebUrl is not the AMP Cache URL of ampWebUrl"
    what = (
        "Recomputes the Google AMP Cache URL of ampWebUrl (amp.dev's published format: "
        "IDN-decoded host with '-' doubled and '.' turned into '-', punycode, and the base32 "
        "SHA-256 fallback for hosts that do not fit a DNS label) and reports a cdnAmpWebUrl "
        "that differs, or one given without an ampWebUrl. Applies to the record and each related item."
    )
    why = "A stale or hand-edited cache URL sends mobile readers to a different or dead page."
    bad = (
        'ampWebUrl: "https://www.example-herald.org/amp/story"\n'
        'cdnAmpWebUrl: "https://www.example-herald.org.cdn.ampproject.org/c/s/www.example-herald.org/amp/story"'
    )
    good = (
        'ampWebUrl: "https://www.example-herald.org/amp/story"\n'
        'cdnAmpWebUrl: "https://www-example--herald-org.cdn.ampproject.org/c/s/www.example-herald.org/amp/story"'
    )

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        yield from _amp_cache_problems(record.data or {}, "")
        for index, item in enumerate(related_items(record)):
            yield from _amp_cache_problems(item, f"/related/{index}")


class SelfRelated(Rule):
    slug = "link/self-related"
    code = "LK005"
    severity = Severity.WARNING
    summary = "Record lists itself as related"
    what = "Reports a related item whose webUrl is the record's own webUrl or originalUrl."
    why = "A 'related' link back to the same story wastes the slot and looks broken to readers."
    bad = 'webUrl: "https://example.org/a"\nrelated:\n  - title: Same story\n    webUrl: "https://example.org/a"'
    good = 'webUrl: "https://example.org/a"\nrelated:\n  - title: Other story\n    webUrl: "https://example.org/b"'

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        own = {
            url_key(value)
            for value in (record.get("webUrl"), record.get("originalUrl"))
            if isinstance(value, str)
        }
        for index, item in enumerate(related_items(record)):
            url = item.get("webUrl")
            if isinstance(url, str) and url_key(url) in own:
                yield Problem(
                    "related item points at this record itself", pointer=f"/related/{index}/webUrl"
                )


class DuplicateRelated(Rule):
    slug = "link/duplicate-related"
    code = "LK006"
    severity = Severity.WARNING
    summary = "The same related item listed twice"
    what = "Reports a related item whose webUrl (ignoring scheme, 'www.' and a trailing '/') repeats an earlier one."
    why = "Readers see the same suggestion twice."
    bad = 'related:\n  - webUrl: "https://example.org/b"\n  - webUrl: "http://www.example.org/b/"'
    good = 'related:\n  - webUrl: "https://example.org/b"'

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        seen: dict[str, int] = {}
        for index, item in enumerate(related_items(record)):
            url = item.get("webUrl")
            if not isinstance(url, str):
                continue
            key = url_key(url)
            if key in seen:
                yield Problem(
                    f"related item repeats /related/{seen[key]}", pointer=f"/related/{index}/webUrl"
                )
            else:
                seen[key] = index


def host_matches_domain(host: str, domain: str) -> bool:
    host = host.lower().rstrip(".")
    domain = domain.lower().strip().rstrip(".").removeprefix("www.")
    return host == domain or host.endswith("." + domain)


def _provider_problem(item: dict[str, Any], prefix: str) -> Problem | None:
    provider = item.get("provider")
    url = item.get("webUrl")
    if not isinstance(provider, dict) or not isinstance(url, str):
        return None
    domain = provider.get("domain")
    host = url_host(url)
    if not isinstance(domain, str) or not domain.strip() or not host:
        return None
    if host_matches_domain(host, domain):
        return None
    return Problem(
        f"provider.domain {domain!r} does not match the webUrl host {host!r}",
        pointer=f"{prefix}/provider/domain",
    )


class ProviderDomainMismatch(Rule):
    slug = "link/provider-domain-mismatch"
    code = "LK007"
    severity = Severity.WARNING
    summary = "provider.domain does not match the webUrl host"
    what = (
        "Reports a record or related item whose webUrl host is neither provider.domain nor a "
        "subdomain of it (www.hrw.org matches hrw.org)."
    )
    why = "The story is credited to the wrong publisher, or the URL belongs to another story."
    bad = 'webUrl: "https://www.hrw.org/news/..."\nprovider:\n  name: Radio Free Europe/Radio Liberty\n  domain: rferl.org'
    good = 'webUrl: "https://www.hrw.org/news/..."\nprovider:\n  name: Human Rights Watch\n  domain: hrw.org'

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        problem = _provider_problem(record.data or {}, "")
        if problem:
            yield problem
        for index, item in enumerate(related_items(record)):
            problem = _provider_problem(item, f"/related/{index}")
            if problem:
                yield problem


RULES = (
    Malformed,
    Scheme,
    PrivateHost,
    AmpCacheMismatch,
    SelfRelated,
    DuplicateRelated,
    ProviderDomainMismatch,
)

"""Hostile or unusual servers and records: what the online checks must still get right.

Each test names a hazard (leaked credentials, guard bypasses, cache poisoning, malformed
headers...) and checks the contract against the real loopback server.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.online.helpers import links, png, run_online, summary
from tests.online.server import Reply, TestServer
from tests.online.test_tls import _certificates
from validator.config import ConfigError
from validator.online import run
from validator.online.guard import Guard, GuardError, ResolveError

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every *.test name (ASCII or IDNA form) resolves to 127.0.0.1; lookups are logged."""
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        if host.rstrip(".").endswith(".test"):
            return ["127.0.0.1"]
        raise ResolveError(f"DNS lookup of {host} failed")

    monkeypatch.setattr(run, "RESOLVER", resolver)
    yield asked


@pytest.fixture
def news_tls(tmp_path: Path) -> Iterator[TestServer]:
    """An HTTPS server whose certificate, for news.test, is signed by tmp_path/ca.pem."""
    _, leaf, key = _certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(leaf, key)
    with TestServer(tls=context) as server:
        yield server


def test_credentials_in_urls_never_reach_the_messages(server: TestServer, tmp_path: Path) -> None:
    """A ``user:password@`` in a record's URL, or in a redirect's Location, must not appear in
    any finding: reports are shared and logged, the password would leak with them."""
    server.routes["/moved"] = Reply(301, headers={"Location": "/nowhere"})
    server.routes["/story"] = Reply(301, headers={"Location": "/"})
    server.routes["/"] = Reply(200)
    server.routes["/hop"] = Reply(
        302, headers={"Location": server.url("/lost").replace("://", "://admin:hunter2@")}
    )
    with_password = [
        server.url(path).replace("://", "://user:s3cret@") for path in ("/moved", "/story")
    ]
    found = run_online(links(*with_password, server.url("/hop")), tmp_path)
    assert sorted(f.rule for f in found) == ["link/dangling", "link/dangling", "link/soft-404"]
    for finding in found:
        assert "s3cret" not in finding.message and "hunter2" not in finding.message
        assert "@" not in finding.message
    assert f"(to http://127.0.0.1:{server.port}/nowhere)" in found[0].message


def test_idn_redirect_hop_obeys_deny_hosts(
    server: TestServer, fake_dns: list[str], tmp_path: Path
) -> None:
    """deny-hosts must hold for a host however it is spelled: a redirect to the Unicode form
    of a host denied in its ASCII (IDNA) form, or a link to a host denied in Unicode, is never
    contacted. The name resolved is the one sent in the Host header."""
    server.routes["/in"] = Reply(200)
    server.routes["/out"] = Reply(302, headers={"Location": f"http://bücher.test:{server.port}/in"})
    (hop,) = run_online(links(server.url("/out")), tmp_path, deny_hosts=["xn--bcher-kva.test"])
    assert hop.rule == "link/not-evaluated" and "deny-hosts" in hop.message
    (direct,) = run_online(
        links(f"http://xn--bcher-kva.test:{server.port}/in"), tmp_path, deny_hosts=["bücher.test"]
    )
    assert direct.rule == "link/not-evaluated" and "deny-hosts" in direct.message
    assert server.count("/in") == 0
    assert run_online(links(f"http://faß.test:{server.port}/in"), tmp_path) == []
    assert fake_dns == ["xn--fa-hia.test"]
    assert server.hits[-1].headers["host"] == f"xn--fa-hia.test:{server.port}"


def test_cached_results_do_not_cross_host_lists(
    server: TestServer, fake_dns: list[str], tmp_path: Path
) -> None:
    """A result cached under one deny-hosts / allow-hosts must not be served under another: the
    lists decide which redirect hops may be contacted, so yesterday's answer through a host
    that is now denied would pass a link the guard would refuse today."""
    port = server.port
    server.routes["/out"] = Reply(302, headers={"Location": f"http://cdn.test:{port}/in"})
    server.routes["/in"] = Reply(200)
    corpus = links(f"http://news.test:{port}/out")
    assert run_online(corpus, tmp_path, use_cache=True, now=NOW) == []
    (denied,) = run_online(corpus, tmp_path, use_cache=True, now=NOW, deny_hosts=["cdn.test"])
    assert denied.rule == "link/not-evaluated" and "deny-hosts" in denied.message
    (outside,) = run_online(corpus, tmp_path, use_cache=True, now=NOW, allow_hosts=["news.test"])
    assert outside.rule == "link/not-evaluated" and "allow-hosts" in outside.message
    assert server.count("/in") == 1


def test_cached_results_do_not_cross_ca_bundles(
    news_tls: TestServer, fake_dns: list[str], tmp_path: Path
) -> None:
    """ca-bundle decides which certificates are trusted: a link checked while trusting a
    private CA must not be served from the cache to a run that trusts only the default ones,
    where its certificate fails."""
    news_tls.routes["/story"] = Reply(200)
    corpus = links(f"https://news.test:{news_tls.port}/story")
    assert run_online(corpus, tmp_path, use_cache=True, now=NOW, ca_bundle="ca.pem") == []
    (finding,) = run_online(corpus, tmp_path, use_cache=True, now=NOW)
    assert finding.rule == "link/unreachable" and "TLS error" in finding.message


def test_fully_qualified_host_with_a_trailing_dot_passes_tls(
    news_tls: TestServer, fake_dns: list[str], tmp_path: Path
) -> None:
    """``https://news.test./`` is the same host as ``https://news.test/``: its certificate
    (which never names the trailing dot) must verify, or a live link is reported broken."""
    news_tls.routes["/story"] = Reply(200)
    corpus = links(f"https://news.test.:{news_tls.port}/story")
    assert run_online(corpus, tmp_path, ca_bundle="ca.pem") == []
    assert news_tls.count("/story") == 1


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Retry-After", "²"),  # a digit to str.isdigit(), not to int() or float()
        ("Retry-After", "Mon, 01 Jan 99999999999 00:00:00 GMT"),  # overflows datetime
        ("Content-Range", "bytes 0-63/²"),
        ("Content-Range", "bytes 0-63/" + "9" * 5000),  # more digits than int() takes
    ],
)
def test_unreadable_header_values_are_ignored(
    server: TestServer, tmp_path: Path, header: str, value: str
) -> None:
    """A header value that cannot be read must be ignored, never turn a live link, a dead
    link or an image into an internal error reported as not evaluated: any server may send
    one, on any answer."""
    server.routes["/ok"] = Reply(200, headers={header: value})
    server.routes["/dead"] = Reply(404, headers={header: value})
    image = png(40, 30, padding=200)
    server.routes["/a.png"] = Reply(
        206, image[:64], headers={header: value}, ranges=False, content_type="image/png"
    )
    corpus = [
        *links(server.url("/ok"), server.url("/dead")),
        summary("img.md", images=[("/images/0", server.url("/a.png"), 41, 30)]),
    ]
    found = run_online(corpus, tmp_path, image_bytes=64)
    assert sorted((f.rule, f.path) for f in found) == [
        ("image/dimension-mismatch", "img.md"),
        ("link/dangling", "a1.md"),
    ]


def test_trickled_image_body_is_bounded_by_the_request_timeout(
    server: TestServer, tmp_path: Path
) -> None:
    """A server that sends one byte at a time must not hold a request past ``timeout``: the
    limit is on the whole answer, not on each read."""
    server.routes["/slow.png"] = Reply(200, png(40, 30, padding=400), trickle=0.05)
    corpus = [summary("img.md", images=[("/images/0", server.url("/slow.png"), 40, 30)])]
    started = time.monotonic()
    (finding,) = run_online(corpus, tmp_path, timeout=0.5, retries=0)
    assert time.monotonic() - started < 2.5
    assert finding.rule == "image/unreachable" and "0.5 s" in finding.message


def test_the_cache_keeps_no_password(server: TestServer, tmp_path: Path) -> None:
    """A link's ``user:password@`` must not be written to the cache folder (CI jobs keep and
    share it): the password is never sent, so the result is stored under the URL without it,
    and a second run is still served from the cache."""
    url = server.url("/dead").replace("://", "://user:s3cret@")
    corpus = links(url)
    run_online(corpus, tmp_path, use_cache=True, now=NOW)
    (second,) = run_online(corpus, tmp_path, use_cache=True, now=NOW)
    assert second.rule == "link/dangling" and "cached result" in second.message
    assert server.count("/dead", "HEAD") == 1
    for path in (tmp_path / "cache").iterdir():
        assert b"s3cret" not in path.read_bytes(), path.name


@pytest.mark.parametrize("address", ["fec0::1", "feff:1::2", "3fff::1", "3fff:fff:ffff::1"])
def test_site_local_and_new_documentation_space_are_refused(
    server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    """IPv6 site-local (fec0::/10, deprecated but still routed inside some networks) and the
    IPv6 documentation prefix 3fff::/20 are not public unicast space: a host resolving to one
    is refused, never connected to. Python's ipaddress counts both as global."""

    async def resolver(host: str, port: int) -> list[str]:
        return [address]

    monkeypatch.setattr(run, "RESOLVER", resolver)
    guard = Guard.from_lists([], [], [], resolver)
    with pytest.raises(GuardError, match=r"site-local|documentation"):
        asyncio.run(guard.addresses("intranet.test", 80))
    (finding,) = run_online(links(f"http://intranet.test:{server.port}/x"), tmp_path)
    assert finding.rule == "link/not-evaluated" and "intranet.test resolves to" in finding.message


def test_image_dir_survives_a_file_name_too_long(tmp_path: Path) -> None:
    """An image URL whose path maps to a name longer than the file system takes (ENAMETOOLONG)
    is an image with no file, reported as not evaluated: it must not crash the online pass and
    take every other image's result with it."""
    folder = tmp_path / "images"
    folder.mkdir()
    (folder / "ok.png").write_bytes(png(40, 30))
    long_url = "https://img.example.org/" + "a" * 300 + ".png"
    corpus = [
        summary(
            "img.md",
            images=[
                ("/images/0", long_url, 40, 30),
                ("/images/1", "https://img.example.org/ok.png", 41, 30),
            ],
        )
    ]
    found = run_online(corpus, tmp_path, image_dir=folder)
    assert sorted((f.rule, f.pointer) for f in found) == [
        ("image/dimension-mismatch", "/images/1/width"),
        ("link/not-evaluated", "/images/0/url"),
    ]


def test_a_ca_bundle_without_certificates_is_a_configuration_error(
    server: TestServer, tmp_path: Path
) -> None:
    """A ca-bundle that holds no PEM certificate is a configuration error naming the key,
    found before any check: not an SSLError raised from inside the online pass."""
    (tmp_path / "ca.pem").write_text("not a certificate\n")
    with pytest.raises(ConfigError, match=r"online\.ca-bundle: .*ca\.pem: not a PEM file"):
        run_online(links(server.url("/ok")), tmp_path, ca_bundle="ca.pem")
    assert server.count() == 0


def test_an_svg_with_an_endless_width_is_not_a_crash(server: TestServer, tmp_path: Path) -> None:
    """An SVG whose width has 400 digits is read as float infinity: it is an image with no
    usable size (not evaluated), whether fetched or read from --image-dir, and must not crash
    the online pass or hide the other images' results."""
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="' + b"9" * 400 + b'" height="10"/>'
    server.routes["/huge.svg"] = Reply(200, svg, content_type="image/svg+xml")
    folder = tmp_path / "images"
    folder.mkdir()
    (folder / "huge.svg").write_bytes(svg)
    (folder / "ok.png").write_bytes(png(40, 30))
    fetched = run_online(
        [summary("img.md", images=[("/images/0", server.url("/huge.svg"), 10, 10)])], tmp_path
    )
    assert [(f.rule, f.message) for f in fetched] == [
        (
            "link/not-evaluated",
            f"image size not evaluated: no PNG, JPEG, GIF, WebP or other known image header in "
            f"the {len(svg)} bytes read",
        )
    ]
    local = run_online(
        [
            summary(
                "img.md",
                images=[
                    ("/images/0", "https://img.example.org/huge.svg", 10, 10),
                    ("/images/1", "https://img.example.org/ok.png", 41, 30),
                ],
            )
        ],
        tmp_path,
        image_dir=folder,
    )
    assert sorted((f.rule, f.pointer) for f in local) == [
        ("image/dimension-mismatch", "/images/1/width"),
        ("link/not-evaluated", "/images/0/url"),
    ]

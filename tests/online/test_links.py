"""The link rules against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.online.helpers import closed_port, links, only, run_online, summary
from tests.online.server import Hit, Reply, TestServer
from validator import __version__
from validator.online import run
from validator.online.guard import ResolveError


def test_live_link_is_not_reported(server: TestServer, tmp_path: Path) -> None:
    server.routes["/ok"] = Reply(200, b"story")
    assert run_online(links(server.url("/ok")), tmp_path) == []
    assert server.count("/ok", "HEAD") == 1
    assert server.count("/ok", "GET") == 0


def test_404_and_410_are_dangling(server: TestServer, tmp_path: Path) -> None:
    server.routes["/gone"] = Reply(410)
    found = run_online(links(server.url("/missing"), server.url("/gone")), tmp_path)
    dangling = only(found, "link/dangling")
    assert [(f.path, f.pointer) for f in dangling] == [("a0.md", "/webUrl"), ("a1.md", "/webUrl")]
    assert "404" in dangling[0].message and "not found" in dangling[0].message
    assert "410" in dangling[1].message and "gone" in dangling[1].message
    assert len(found) == 2
    # A HEAD answered with an error is asked again as a GET before it counts.
    assert server.count("/missing", "HEAD") == 1 and server.count("/missing", "GET") == 1


def test_server_error_is_retried_then_unreachable(server: TestServer, tmp_path: Path) -> None:
    server.routes["/broken"] = Reply(500)
    found = run_online(links(server.url("/broken")), tmp_path, retries=2)
    (finding,) = found
    assert finding.rule == "link/unreachable"
    assert "500" in finding.message and "after 3 attempts" in finding.message
    assert server.count("/broken", "GET") == 3


def test_transient_error_recovers_on_retry(server: TestServer, tmp_path: Path) -> None:
    calls: list[int] = []

    def flaky(hit: Hit) -> Reply:
        calls.append(1)
        return Reply(502) if len(calls) <= 2 else Reply(200)

    server.routes["/flaky"] = flaky
    assert run_online(links(server.url("/flaky")), tmp_path, retries=2) == []


def test_redirect_chain_is_followed_hop_by_hop(server: TestServer, tmp_path: Path) -> None:
    server.routes["/r1"] = Reply(301, headers={"Location": "/r2"})
    server.routes["/r2"] = Reply(302, headers={"Location": server.url("/r3")})
    server.routes["/r3"] = Reply(307, headers={"Location": "final?x=1"})
    server.routes["/final?x=1"] = Reply(200)
    assert run_online(links(server.url("/r1")), tmp_path) == []
    assert [hit.path for hit in server.hits] == ["/r1", "/r2", "/r3", "/final?x=1"]


def test_redirect_chain_ending_in_404_names_the_chain(server: TestServer, tmp_path: Path) -> None:
    server.routes["/moved"] = Reply(301, headers={"Location": "/nowhere"})
    (finding,) = run_online(links(server.url("/moved")), tmp_path)
    assert finding.rule == "link/dangling"
    assert "after 1 redirect" in finding.message and "/nowhere" in finding.message


def test_too_many_redirects(server: TestServer, tmp_path: Path) -> None:
    for i in range(6):
        server.routes[f"/hop{i}"] = Reply(302, headers={"Location": f"/hop{i + 1}"})
    (finding,) = run_online(links(server.url("/hop0")), tmp_path, max_redirects=3)
    assert finding.rule == "link/unreachable"
    assert "more than 3 redirects" in finding.message
    assert server.count() == 4  # the first request and three redirects, no more


def test_redirect_loop(server: TestServer, tmp_path: Path) -> None:
    server.routes["/a"] = Reply(302, headers={"Location": "/b"})
    server.routes["/b"] = Reply(302, headers={"Location": "/a"})
    (finding,) = run_online(links(server.url("/a")), tmp_path)
    assert finding.rule == "link/unreachable" and "redirect loop" in finding.message


def test_redirect_to_another_scheme_is_not_followed(server: TestServer, tmp_path: Path) -> None:
    server.routes["/ftp"] = Reply(301, headers={"Location": "ftp://files.example.org/story"})
    (finding,) = run_online(links(server.url("/ftp")), tmp_path)
    assert finding.rule == "link/not-evaluated"
    assert "only http and https" in finding.message


def test_redirect_into_a_private_address_is_refused(
    server: TestServer, other_server: TestServer, tmp_path: Path
) -> None:
    # FAST allows 127.0.0.1 only: the redirect to 127.0.0.2 must be refused, unsent.
    other_server.routes["/admin"] = Reply(200)
    server.routes["/out"] = Reply(302, headers={"Location": other_server.url("/admin")})
    (finding,) = run_online(links(server.url("/out")), tmp_path)
    assert finding.rule == "link/not-evaluated"
    assert "127.0.0.2 is a loopback address" in finding.message
    assert "allow-private" in finding.message
    assert other_server.count() == 0


def test_private_link_itself_is_refused_unless_allowed(
    other_server: TestServer, tmp_path: Path
) -> None:
    other_server.routes["/x"] = Reply(404)
    (finding,) = run_online(links(other_server.url("/x")), tmp_path)
    assert finding.rule == "link/not-evaluated" and "loopback" in finding.message
    assert other_server.count() == 0
    found = run_online(links(other_server.url("/x")), tmp_path, allow_private=["127.0.0.0/8"])
    assert [f.rule for f in found] == ["link/dangling"]


def test_deny_and_allow_hosts(server: TestServer, tmp_path: Path) -> None:
    server.routes["/x"] = Reply(404)
    (denied,) = run_online(links(server.url("/x")), tmp_path, deny_hosts=["127.0.0.*"])
    assert denied.rule == "link/not-evaluated" and "deny-hosts" in denied.message
    (outside,) = run_online(links(server.url("/x")), tmp_path, allow_hosts=["*.example.org"])
    assert outside.rule == "link/not-evaluated" and "allow-hosts" in outside.message
    assert server.count() == 0


def test_slow_response_times_out(server: TestServer, tmp_path: Path) -> None:
    server.routes["/slow"] = Reply(200, delay=3)
    started = time.monotonic()
    (finding,) = run_online(links(server.url("/slow")), tmp_path, timeout=0.3, retries=0)
    assert time.monotonic() - started < 2.5  # it did not wait for the answer
    assert finding.rule == "link/unreachable"
    assert "no complete answer within 0.3 s" in finding.message


def test_429_retry_after_is_honoured(server: TestServer, tmp_path: Path) -> None:
    calls: list[float] = []

    def limited(hit: Hit) -> Reply:
        calls.append(hit.started)
        return Reply(429, headers={"Retry-After": "1"}) if len(calls) == 1 else Reply(200)

    server.routes["/limited"] = limited
    assert run_online(links(server.url("/limited")), tmp_path) == []
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.95


def test_429_still_refused_is_not_evaluated(server: TestServer, tmp_path: Path) -> None:
    server.routes["/busy"] = Reply(429, headers={"Retry-After": "0"})
    (finding,) = run_online(links(server.url("/busy")), tmp_path, retries=2)
    assert finding.rule == "link/not-evaluated"
    assert "429" in finding.message and "Retry-After 0 s honoured" in finding.message
    assert server.count("/busy") == 3  # HEAD each time: 429 is not a reason to try GET


def test_503_with_long_retry_after_is_not_evaluated_at_once(
    server: TestServer, tmp_path: Path
) -> None:
    server.routes["/later"] = Reply(503, headers={"Retry-After": "3600"})
    (finding,) = run_online(links(server.url("/later")), tmp_path)
    assert finding.rule == "link/not-evaluated"
    assert "3600 s, more than max-retry-after (2 s)" in finding.message
    assert server.count("/later") == 1


def test_head_not_allowed_falls_back_to_ranged_get(server: TestServer, tmp_path: Path) -> None:
    server.routes["/nohead"] = lambda hit: Reply(405) if hit.method == "HEAD" else Reply(200)
    assert run_online(links(server.url("/nohead")), tmp_path) == []
    get = [hit for hit in server.hits if hit.method == "GET"]
    assert len(get) == 1 and get[0].headers["range"] == "bytes=0-0"


def test_soft_404_redirect_to_home_page(server: TestServer, tmp_path: Path) -> None:
    server.routes["/news/removed-story"] = Reply(301, headers={"Location": "/"})
    server.routes["/"] = Reply(200)
    found = run_online(links(server.url("/news/removed-story"), server.url("/")), tmp_path)
    (finding,) = found
    assert finding.rule == "link/soft-404" and finding.path == "a0.md"
    assert "home page" in finding.message


def test_accept_status_counts_as_live(server: TestServer, tmp_path: Path) -> None:
    server.routes["/linkedin"] = Reply(999)
    server.routes["/forbidden"] = Reply(403)
    urls = links(server.url("/linkedin"), server.url("/forbidden"))
    assert [f.rule for f in run_online(urls, tmp_path)] == ["link/unreachable"] * 2
    assert run_online(urls, tmp_path, accept_status=[999, 403]) == []


def test_no_cookies_no_credentials_and_a_clear_user_agent(
    server: TestServer, tmp_path: Path
) -> None:
    server.routes["/login"] = Reply(
        302, headers={"Location": "/home2", "Set-Cookie": "session=secret; Path=/"}
    )
    server.routes["/home2"] = Reply(200)
    url = server.url("/login").replace("http://", "http://user:pass@")
    assert run_online(links(url), tmp_path) == []
    for hit in server.hits:
        assert "cookie" not in hit.headers
        assert "authorization" not in hit.headers
        assert hit.headers["user-agent"] == f"newslint/{__version__} (+link check)"
        assert hit.headers["host"] == f"127.0.0.1:{server.port}"


def test_identical_urls_are_checked_once_and_reported_everywhere(
    server: TestServer, tmp_path: Path
) -> None:
    url = server.url("/dead")
    summaries = [
        summary("a.md", [("/webUrl", url), ("/originalUrl", url)]),
        summary("b.md", [("/related/0/webUrl", url)]),
        summary("c.jsonl", [("/webUrl", url)], record=3),
    ]
    found = run_online(summaries, tmp_path)
    assert [(f.path, f.record, f.pointer) for f in found] == [
        ("a.md", 0, "/webUrl"),
        ("a.md", 0, "/originalUrl"),
        ("b.md", 0, "/related/0/webUrl"),
        ("c.jsonl", 3, "/webUrl"),
    ]
    assert server.count("/dead", "HEAD") == 1


def test_non_http_and_malformed_urls_are_left_to_the_offline_rules(tmp_path: Path) -> None:
    summaries = links("ftp://example.org/x", "/relative/path", "https://exa mple.org/")
    assert run_online(summaries, tmp_path) == []


def test_per_host_limit_and_gap(server: TestServer, tmp_path: Path) -> None:
    server.routes["/p"] = Reply(200, delay=0.1)
    urls = links(*(server.url(f"/p?{i}") for i in range(6)))
    assert run_online(urls, tmp_path, per_host=2, host_delay=0.05) == []
    assert server.max_active <= 2
    starts = sorted(hit.started for hit in server.hits)
    # host-delay spaces the starts on the client; the server sees them with some jitter.
    assert starts[-1] - starts[0] >= 5 * 0.05 * 0.8


def test_run_timeout_is_one_notice(server: TestServer, tmp_path: Path) -> None:
    server.routes["/slow"] = Reply(200, delay=2.5)
    urls = links(*(server.url(f"/slow?{i}") for i in range(4)))
    started = time.monotonic()
    found = run_online(urls, tmp_path, run_timeout=0.3, timeout=5, per_host=1)
    assert time.monotonic() - started < 2.0  # the pass stopped at run-timeout
    (notice,) = found
    assert notice.rule == "link/not-evaluated" and notice.path == "a0.md"
    assert (
        "run-timeout (0.3 s)" in notice.message and "4 links were not evaluated" in notice.message
    )


def test_network_absent_is_one_notice(tmp_path: Path) -> None:
    port = closed_port()
    summaries = links(*(f"http://127.0.0.1:{port}/story-{i}" for i in range(30)))
    found = run_online(summaries, tmp_path)
    (notice,) = found
    assert notice.rule == "link/not-evaluated"
    assert (notice.path, notice.pointer) == ("a0.md", "/webUrl")
    assert "network is unreachable" in notice.message
    assert "30 links were not evaluated" in notice.message
    assert "connection refused" in notice.message


def test_dns_failing_everywhere_is_one_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_dns(host: str, port: int) -> list[str]:
        raise ResolveError(f"DNS lookup of {host} failed: [Errno -3] Temporary failure")

    monkeypatch.setattr(run, "RESOLVER", no_dns)
    summaries = [
        *links(
            "https://www.example-herald.org/a",
            "https://news.example.net/b",
            "https://img.example.com/c",
        ),
        summary("img.md", images=[("/images/0", "https://img.example.com/x.png", 1, 1)]),
    ]
    (notice,) = run_online(summaries, tmp_path)
    assert notice.rule == "link/not-evaluated" and notice.path == "a0.md"
    assert "3 links and 1 image were not evaluated" in notice.message
    assert "DNS lookup" in notice.message


def test_a_single_unreachable_host_is_reported_per_link(tmp_path: Path) -> None:
    # One refused link is a finding of its own, not a "network unreachable" notice.
    port = closed_port()
    (finding,) = run_online(links(f"http://127.0.0.1:{port}/x"), tmp_path)
    assert finding.rule == "link/unreachable" and "connection refused" in finding.message

"""The online result cache: shared across runs, TTL, --no-cache."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.online.helpers import links, run_online, summary
from tests.online.server import Reply, TestServer
from validator.online.cache import FILENAME

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def _corpus(server: TestServer) -> list:  # type: ignore[type-arg]
    server.routes["/ok"] = Reply(200)
    server.routes["/busy"] = Reply(429, headers={"Retry-After": "0"})
    return [
        *links(server.url("/ok"), server.url("/dead"), server.url("/busy")),
        summary("img.md", images=[("/images/0", server.url("/missing.png"), 1, 1)]),
    ]


def test_second_run_is_served_from_the_cache(server: TestServer, tmp_path: Path) -> None:
    corpus = _corpus(server)
    first = run_online(corpus, tmp_path, use_cache=True, now=NOW, retries=0)
    assert sorted(f.rule for f in first) == [
        "image/unreachable",
        "link/dangling",
        "link/not-evaluated",
    ]
    assert not any("cached" in f.message for f in first)
    hits = server.count()
    assert (tmp_path / "cache" / FILENAME).is_file()

    later = NOW + timedelta(hours=3)
    second = run_online(corpus, tmp_path, use_cache=True, now=later, retries=0)
    assert sorted(f.rule for f in second) == sorted(f.rule for f in first)
    # The definite answers came from the cache; only the refused (429) link was asked again.
    assert server.count() - hits == 1
    assert server.count("/busy") == 2
    dead = next(f for f in second if f.rule == "link/dangling")
    assert dead.message.endswith("(cached result from 2026-03-01 12:00 UTC)")
    busy = next(f for f in second if f.rule == "link/not-evaluated")
    assert "cached" not in busy.message


def test_expired_entries_are_checked_again(server: TestServer, tmp_path: Path) -> None:
    corpus = links(server.url("/dead"))
    run_online(corpus, tmp_path, use_cache=True, now=NOW)
    run_online(corpus, tmp_path, use_cache=True, now=NOW + timedelta(hours=23))
    assert server.count("/dead", "HEAD") == 1
    (finding,) = run_online(corpus, tmp_path, use_cache=True, now=NOW + timedelta(hours=25))
    assert server.count("/dead", "HEAD") == 2
    assert "cached" not in finding.message
    # A shorter TTL from the configuration applies at once.
    run_online(corpus, tmp_path, use_cache=True, now=NOW + timedelta(hours=26), cache_ttl=60)
    assert server.count("/dead", "HEAD") == 3


def test_no_cache_bypasses_it(server: TestServer, tmp_path: Path) -> None:
    corpus = links(server.url("/dead"))
    run_online(corpus, tmp_path, use_cache=True, now=NOW)
    (finding,) = run_online(corpus, tmp_path, use_cache=False, now=NOW)
    assert server.count("/dead", "HEAD") == 2 and "cached" not in finding.message
    run_online(corpus, tmp_path, use_cache=True, now=NOW, cache_ttl=0)  # 0 turns it off too
    assert server.count("/dead", "HEAD") == 3


def test_policy_change_is_not_served_a_stale_result(server: TestServer, tmp_path: Path) -> None:
    corpus = links(server.url("/dead"))
    run_online(corpus, tmp_path, use_cache=True, now=NOW)
    (refused,) = run_online(corpus, tmp_path, use_cache=True, now=NOW, allow_private=[])
    assert refused.rule == "link/not-evaluated"  # the guard decides, not yesterday's answer


def test_a_broken_cache_file_does_not_fail_the_run(server: TestServer, tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / FILENAME).write_bytes(b"this is not a database" * 100)
    (finding,) = run_online(links(server.url("/dead")), tmp_path, use_cache=True, now=NOW)
    assert finding.rule == "link/dangling"


def test_cache_is_wal_and_shared(server: TestServer, tmp_path: Path) -> None:
    run_online(links(server.url("/dead")), tmp_path, use_cache=True, now=NOW)
    with sqlite3.connect(tmp_path / "cache" / FILENAME) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        (count,) = db.execute("SELECT count(*) FROM results").fetchone()
    assert count == 1

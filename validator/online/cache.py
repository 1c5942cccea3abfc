"""The online result cache: one SQLite file shared by runs and processes.

``<cache-dir>/online-v1.sqlite`` holds one row per (kind, URL, policy): the raw outcome as
JSON and when it was checked. URLs are stored without their ``user:password@`` (never sent,
so the answer is the same): no password lands in a cache folder CI may keep or share. Rows
older than ``cache-ttl`` are ignored and pruned. WAL mode and a busy timeout let parallel runs
read and write it; any SQLite error turns the cache off for the run rather than failing it.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from validator.online.fetch import without_userinfo
from validator.online.outcome import Kind, Outcome

FILENAME = "online-v1.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    policy TEXT NOT NULL,
    checked_at REAL NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (kind, url, policy)
)
"""


class OnlineCache:
    def __init__(self, folder: Path, ttl: float, policy: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / FILENAME
        self.ttl = ttl
        self.policy = policy
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 30000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute(_SCHEMA)

    def get_many(
        self, keys: Iterable[tuple[Kind, str]], now: float
    ) -> dict[tuple[Kind, str], Outcome]:
        """The fresh cached outcomes of these (kind, url) keys."""
        found: dict[tuple[Kind, str], Outcome] = {}
        oldest = now - self.ttl
        for kind, url in keys:
            row = self._db.execute(
                "SELECT checked_at, outcome FROM results WHERE kind = ? AND url = ? AND policy = ?",
                (kind, without_userinfo(url), self.policy),
            ).fetchone()
            if row is None or not oldest <= row[0] <= now + 60:
                continue
            try:
                outcome = Outcome.from_json(json.loads(row[1]), float(row[0]))
            except (TypeError, ValueError):
                continue
            found[(kind, url)] = dataclasses.replace(outcome, url=url)
        return found

    def put_many(self, outcomes: Iterable[Outcome], now: float) -> None:
        rows = [
            (o.kind, stored.url, self.policy, now, json.dumps(stored.to_json(), sort_keys=True))
            for o in outcomes
            if o.cacheable and o.cached_at is None
            for stored in [dataclasses.replace(o, url=without_userinfo(o.url))]
        ]
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR REPLACE INTO results (kind, url, policy, checked_at, outcome) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            self._db.execute("DELETE FROM results WHERE checked_at < ?", (now - self.ttl,))

    def close(self) -> None:
        self._db.close()

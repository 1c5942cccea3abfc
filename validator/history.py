"""Audit history in SQLite: one row per `newslint report` run, with per-provider and
per-rule counts, so reports can show trends and call out a provider whose finding rate
jumps above its own past."""

from __future__ import annotations

import sqlite3
import statistics
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from validator import __version__
from validator.engine import printable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    version TEXT NOT NULL,
    files INTEGER NOT NULL,
    records INTEGER NOT NULL,
    findings INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    infos INTEGER NOT NULL,
    clean_records INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS provider_counts (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    provider TEXT NOT NULL,
    records INTEGER NOT NULL,
    findings INTEGER NOT NULL,
    PRIMARY KEY (run_id, provider)
);
CREATE TABLE IF NOT EXISTS rule_counts (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    rule TEXT NOT NULL,
    findings INTEGER NOT NULL,
    PRIMARY KEY (run_id, rule)
);
"""
MIN_RECORDS_FOR_ALERT = 5
MIN_RUNS_FOR_ALERT = 2


@dataclass(frozen=True)
class Alert:
    provider: str
    rate: float  # findings per record now
    usual: float  # mean of its earlier runs

    def message(self) -> str:
        # The provider is record text: a line break in it could print a line that a CI log
        # runs as a workflow command, so control characters are shown as escapes.
        return (
            f"{printable(self.provider)}: {self.rate:.2f} findings per record, up from a usual "
            f"{self.usual:.2f}"
        )


class HistoryError(Exception):
    """The history file cannot be used: not SQLite, damaged, or another program's database."""


# What the report shows of each earlier run, and what a run row holds besides.
REPORTED_RUN_FIELDS = (
    "started_at",
    "records",
    "findings",
    "errors",
    "warnings",
    "infos",
    "clean_records",
)
_RUN_FIELDS = ("id", "version", "files", *REPORTED_RUN_FIELDS)
_RUN_COLUMNS = set(_RUN_FIELDS)
_OUR_TABLES = {"runs", "provider_counts", "rule_counts", "sqlite_sequence"}


class History:
    """``scope`` names the corpus and settings a run audits: trends and alerts compare a run
    only with earlier runs of the same scope and newslint version, so that one history file
    shared by two corpora, two configurations or two versions never mixes their counts."""

    def __init__(self, path: Path, scope: str = "") -> None:
        self.path = path
        self.scope = scope
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30)
        except (OSError, sqlite3.Error) as error:
            raise HistoryError(f"cannot open {path}: {error}") from None
        try:
            self._prepare()
        except sqlite3.Error as error:
            self._db.close()
            raise HistoryError(f"{path} is not a usable newslint history: {error}") from None

    def _prepare(self) -> None:
        # One writer at a time sets the schema up: two runs starting together on a new
        # file must not both create it or both add the scope column.
        self._db.execute("BEGIN IMMEDIATE")  # on a file that is not SQLite, fails here
        try:
            tables = {
                name
                for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if tables and not ({"runs"} <= tables <= _OUR_TABLES and self._is_ours()):
                # Another program's database: newslint adds nothing to it.
                raise sqlite3.DatabaseError("it holds tables that are not newslint's")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            if "scope" not in self._run_columns():  # a history from before scopes
                self._db.execute("ALTER TABLE runs ADD COLUMN scope TEXT NOT NULL DEFAULT ''")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _run_columns(self) -> set[str]:
        return {row[1] for row in self._db.execute("PRAGMA table_info(runs)")}

    def _is_ours(self) -> bool:
        return self._run_columns() >= _RUN_COLUMNS

    def close(self) -> None:
        self._db.close()

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest runs, oldest first, each with its rule and provider counts."""
        rows = self._db.execute(
            f"SELECT {', '.join(_RUN_FIELDS)} FROM runs"
            " WHERE scope = ? AND version = ? ORDER BY id DESC LIMIT ?",
            (self.scope, __version__, limit),
        ).fetchall()
        runs = [dict(zip(_RUN_FIELDS, row, strict=True)) for row in reversed(rows)]
        for run in runs:
            run["by_rule"] = dict(
                self._db.execute(
                    "SELECT rule, findings FROM rule_counts WHERE run_id = ? ORDER BY rule",
                    (run["id"],),
                ).fetchall()
            )
            run["by_provider"] = {
                provider: {"records": records, "findings": findings}
                for provider, records, findings in self._db.execute(
                    "SELECT provider, records, findings FROM provider_counts WHERE run_id = ?"
                    " ORDER BY provider",
                    (run["id"],),
                )
            }
        return runs

    def record(self, stats: dict[str, Any]) -> int:
        severity = stats["findings_by_severity"]
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO runs (started_at, version, files, records, findings, errors,"
                " warnings, infos, clean_records, scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    __version__,
                    stats["files"],
                    stats["records"],
                    stats["findings"],
                    severity.get("error", 0),
                    severity.get("warning", 0),
                    severity.get("info", 0),
                    stats["clean_records"],
                    self.scope,
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            self._db.executemany(
                "INSERT INTO provider_counts VALUES (?, ?, ?, ?)",
                [
                    (run_id, provider, row["records"], row["findings"])
                    for provider, row in stats["by_provider"].items()
                ],
            )
            self._db.executemany(
                "INSERT INTO rule_counts VALUES (?, ?, ?)",
                [(run_id, rule, count) for rule, count in stats["findings_by_rule"].items()],
            )
        return run_id


def provider_alerts(stats: dict[str, Any], earlier: list[dict[str, Any]]) -> list[Alert]:
    """Providers whose finding rate is well above their own history: more than twice their
    mean rate and more than three standard deviations above it."""
    alerts = []
    for provider, row in stats["by_provider"].items():
        if row["records"] < MIN_RECORDS_FOR_ALERT:
            continue
        # A past run with a handful of the provider's records gives a rate of noise (0 or 1
        # finding per record): only runs with as many records as an alert needs count.
        past = [
            run["by_provider"][provider]["findings"] / run["by_provider"][provider]["records"]
            for run in earlier
            if run["by_provider"].get(provider, {}).get("records", 0) >= MIN_RECORDS_FOR_ALERT
        ]
        if len(past) < MIN_RUNS_FOR_ALERT:
            continue
        usual = statistics.fmean(past)
        spread = statistics.pstdev(past)
        rate = row["findings"] / row["records"]
        if rate > 2 * usual and rate > usual + 3 * spread and rate - usual >= 0.5:
            alerts.append(Alert(provider, rate, usual))
    return sorted(alerts, key=lambda a: -(a.rate - a.usual))

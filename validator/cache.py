"""Result cache: one SQLite file; a file's findings are reused when its bytes, newslint's
version and the effective settings for it (rules, their versions, severities and options,
the schema, the limits, the secured key) are all unchanged.

The key is a hash: no record content, key or plaintext is stored, only findings.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import astuple
from pathlib import Path
from typing import Any

from validator import __version__
from validator.engine import FileOutcome
from validator.findings import Finding, Severity
from validator.summary import RecordSummary

SCHEMA_VERSION = 5


def content_key(data: bytes, path: str, settings_fingerprint: str) -> str:
    digest = hashlib.sha256()
    for part in (__version__.encode(), settings_fingerprint.encode(), path.encode(), data):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by newslint\n*\n", encoding="utf-8")
        self.path = folder / f"results-v{SCHEMA_VERSION}.sqlite"
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, outcome TEXT NOT NULL)"
        )
        self._pending: list[tuple[str, str]] = []
        self.hits = 0
        self.misses = 0

    def get(self, key: str, path: str) -> FileOutcome | None:
        """The stored outcome, shown at ``path`` (the key holds the path relative to the
        configuration, so a run from another working folder still hits)."""
        row = self._db.execute("SELECT outcome FROM results WHERE key = ?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return _decode(row[0], path)

    def put(self, key: str, outcome: FileOutcome) -> None:
        if outcome.crashed:
            return  # a crash or time-out is retried next time, never remembered
        self._pending.append((key, _encode(outcome)))
        if len(self._pending) >= 500:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO results (key, outcome) VALUES (?, ?)", self._pending
            )
        self._pending.clear()

    def close(self) -> None:
        self.flush()
        self._db.close()


def _encode(outcome: FileOutcome) -> str:
    return json.dumps(
        {
            "path": outcome.path,
            "records": outcome.records,
            "status": outcome.status,
            "body_line": outcome.body_line,
            "digest": outcome.digest,
            "findings": [
                [
                    f.rule,
                    f.code,
                    f.severity.value,
                    f.message,
                    f.line,
                    f.column,
                    f.end_line,
                    f.pointer,
                    f.record,
                    f.fingerprint,
                ]
                for f in outcome.findings
            ],
            "summaries": [list(astuple(s)) for s in outcome.summaries],
        },
        ensure_ascii=False,
    )


def _decode(text: str, path: str) -> FileOutcome:
    raw = json.loads(text)
    findings = [
        Finding(rule, code, Severity(severity), message, path, *rest)
        for rule, code, severity, message, *rest in raw["findings"]
    ]
    summaries = [_summary(path, fields) for fields in raw.get("summaries", [])]
    return FileOutcome(
        path,
        raw["records"],
        raw["status"],
        raw["body_line"],
        findings,
        False,
        summaries,
        raw.get("digest", ""),
    )


def _summary(path: str, fields: list[Any]) -> RecordSummary:
    _, *head, sketch, related, urls, images = fields
    return RecordSummary(  # type: ignore[misc]
        path,
        *head,
        sketch=tuple(sketch),
        related=tuple((str(p), str(u)) for p, u in related),
        urls=tuple((str(p), str(u)) for p, u in urls),
        images=tuple((str(p), str(u), w, h) for p, u, w, h in images),
    )

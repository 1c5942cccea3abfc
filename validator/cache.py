"""Result cache: one SQLite file; a file's findings are reused when its bytes, newslint's
version and the effective settings for it (rules, their versions, severities and options,
the schema, the limits, the secured key) are all unchanged.

The key is a hash: no record content, key or plaintext is stored, only findings.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from dataclasses import astuple
from pathlib import Path
from typing import Any

from validator import __version__
from validator.engine import FileOutcome
from validator.findings import Finding, Severity
from validator.spool import dumps_compact, loads_compact
from validator.stamp import Stamp
from validator.summary import RecordSummary

SCHEMA_VERSION = 8  # 8: loaders and record summaries changed values no rule version covers


def content_key(file_digest: str, path: str, settings_fingerprint: str) -> str:
    """A file's key: the SHA-256 of its bytes (hex, as FileOutcome.digest holds it), its
    path relative to the configuration, the settings for it and newslint's version. An
    outcome is stored only under the key its own digest gives (validator.runner)."""
    digest = hashlib.sha256()
    # A file name that is not UTF-8 arrives with surrogate escapes: keep its bytes as they are.
    for part in (
        __version__.encode(),
        settings_fingerprint.encode(),
        path.encode("utf-8", "surrogateescape"),
        file_digest.encode(),
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class Cache:
    """The results database. A failure of SQLite while in use (a damaged file, a full disk)
    turns the cache off for the rest of the run, with a note in ``notes``: the cache only
    saves time, and must never cost the report."""

    def __init__(self, folder: Path, notes: list[str] | None = None) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by newslint\n*\n", encoding="utf-8")
        self.path = folder / f"results-v{SCHEMA_VERSION}.sqlite"
        self.notes = notes if notes is not None else []
        self.usable = True
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, outcome BLOB NOT NULL)"
        )
        # file (path + settings) -> the stamp it had when hashed, and its content key
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS stamps "
            "(file TEXT PRIMARY KEY, stamp TEXT NOT NULL, key TEXT NOT NULL)"
        )
        self._pending: list[tuple[str, bytes]] = []
        self._stamps: list[tuple[str, str, str]] = []
        self.hits = 0
        self.misses = 0

    def get(self, key: str, path: str) -> FileOutcome | None:
        """The stored outcome, shown at ``path`` (the key holds the path relative to the
        configuration, so a run from another working folder still hits)."""
        return self.get_many([(key, path)]).get((key, path))

    def get_many(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], FileOutcome]:
        """get() for many (key, path) pairs in one query, by pair: two paths may share a key
        (one file named through a symlinked folder and by its real path), and each is shown
        at its own path."""
        rows = self._select(wanted)
        found = {(key, path): _decode(rows[key], path) for key, path in wanted if key in rows}
        self.hits += len(found)
        self.misses += len(wanted) - len(found)
        return found

    def _select(self, wanted: list[tuple[str, str]]) -> dict[str, bytes]:
        if not wanted or not self.usable:
            return {}
        keys = list(dict.fromkeys(key for key, _ in wanted))
        marks = ",".join("?" * len(keys))
        try:
            return dict(
                self._db.execute(
                    f"SELECT key, outcome FROM results WHERE key IN ({marks})", keys
                ).fetchall()
            )
        except sqlite3.Error as error:
            self._give_up(error)
            return {}

    def known_keys(self, files: list[tuple[str, str, Stamp]]) -> dict[tuple[str, str], str]:
        """The content keys hashed earlier from these (relative path, settings fingerprint,
        stamp) files, for those whose stamp has not changed since."""
        if not files or not self.usable:
            return {}
        ids = {
            _stamp_id(relative, fingerprint): (relative, fingerprint, stamp)
            for relative, fingerprint, stamp in files
        }
        marks = ",".join("?" * len(ids))
        try:
            rows = self._db.execute(
                f"SELECT file, stamp, key FROM stamps WHERE file IN ({marks})",
                list(ids),
            ).fetchall()
        except sqlite3.Error as error:
            self._give_up(error)
            return {}
        known = {}
        for file, stamp_text, key in rows:
            relative, fingerprint, stamp = ids[file]
            if stamp_text == stamp.text():
                known[(relative, fingerprint)] = str(key)
        return known

    def remember_key(self, relative: str, fingerprint: str, stamp: Stamp, key: str) -> None:
        if self.usable:
            self._stamps.append((_stamp_id(relative, fingerprint), stamp.text(), key))

    def put(self, key: str, outcome: FileOutcome) -> None:
        if not self.usable:
            return
        if outcome.crashed or outcome.timed_out:
            return  # a crash or time-out is retried next time, never remembered
        self._pending.append((key, _encode(outcome)))
        if len(self._pending) >= 500:
            self.flush()

    def flush(self) -> None:
        if not self._pending and not self._stamps:
            return
        try:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany(
                    "INSERT OR REPLACE INTO results (key, outcome) VALUES (?, ?)", self._pending
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO stamps (file, stamp, key) VALUES (?, ?, ?)",
                    self._stamps,
                )
        except sqlite3.Error as error:
            self._give_up(error)
        self._pending.clear()
        self._stamps.clear()

    def close(self) -> None:
        self.flush()
        with contextlib.suppress(sqlite3.Error):  # nothing is pending: nothing left to lose
            self._db.close()

    def _give_up(self, error: sqlite3.Error) -> None:
        """Turn the cache off for the rest of the run: what is checked from here on is
        checked afresh and not stored."""
        self.usable = False
        self._pending.clear()
        self._stamps.clear()
        self.notes.append(
            f"result cache disabled: {self.path} failed: {error}; the run went on without "
            f"it. If the disk is full, free some space; otherwise delete {self.folder} (it is "
            "rebuilt on the next run)"
        )


def _stamp_id(relative: str, fingerprint: str) -> str:
    # newslint's version is part of the id, as of the content key: after an upgrade the index
    # must not hand back a key (and so findings) made by the previous version.
    return hashlib.sha256(
        f"{__version__}\0{fingerprint}\0{relative}".encode("utf-8", "surrogateescape")
    ).hexdigest()


def _encode(outcome: FileOutcome) -> bytes:
    return dumps_compact(
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
    )


def _decode(text: bytes, path: str) -> FileOutcome:
    raw = loads_compact(text)
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

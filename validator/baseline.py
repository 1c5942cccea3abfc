"""Baselines: adopt newslint on an existing corpus by recording today's findings, then fail
only on new ones. Findings are matched by fingerprint (rule, path, record, JSON pointer and a
hash of the offending content), never by line number, so unrelated edits do not break it."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from validator import __version__
from validator.engine import RunResult
from validator.findings import Finding

FORMAT_VERSION = 1


class BaselineError(Exception):
    pass


def build_baseline(result: RunResult) -> dict[str, Any]:
    counts = Counter(f.fingerprint for f in result.findings)
    first: dict[str, Finding] = {}
    for finding in result.findings:
        first.setdefault(finding.fingerprint, finding)
    entries = [
        {
            "fingerprint": fingerprint,
            "rule": first[fingerprint].rule,
            "path": first[fingerprint].path,
            "pointer": first[fingerprint].pointer,
            "count": counts[fingerprint],
        }
        for fingerprint in sorted(counts, key=lambda fp: (first[fp].path, first[fp].rule, fp))
    ]
    return {"newslint_baseline": FORMAT_VERSION, "version": __version__, "findings": entries}


def write_baseline(result: RunResult, path: Path) -> int:
    document = build_baseline(result)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(result.findings)


def read_baseline(path: Path) -> Counter[str]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"{path}: cannot read the baseline: {error.strerror}") from None
    except ValueError as error:
        raise BaselineError(f"{path}: not a newslint baseline (invalid JSON: {error})") from None
    if not isinstance(document, dict) or document.get("newslint_baseline") != FORMAT_VERSION:
        raise BaselineError(
            f"{path}: not a newslint baseline of format {FORMAT_VERSION}; "
            "write one with `newslint baseline PATH... -o FILE`"
        )
    entries = document.get("findings", [])
    if not isinstance(entries, list):
        raise BaselineError(f"{path}: 'findings' must be a list of entries")
    counts: Counter[str] = Counter()
    for number, entry in enumerate(entries):
        fingerprint, count = _entry(entry)
        if fingerprint is None:
            raise BaselineError(
                f"{path}: findings[{number}] is not a baseline entry (it needs a "
                "'fingerprint' string and, if given, a positive whole 'count'); "
                "write the baseline again with `newslint baseline PATH... -o FILE`"
            )
        counts[fingerprint] += count
    return counts


def _entry(entry: Any) -> tuple[str | None, int]:
    """An entry's fingerprint and count, or (None, 0) when it is not an entry."""
    if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
        return None, 0
    count = entry.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        return None, 0
    return entry["fingerprint"], count


@dataclass(frozen=True)
class BaselineOutcome:
    suppressed: int  # findings already in the baseline
    fixed: int  # baseline entries no longer found: the baseline can shrink


def apply_baseline(result: RunResult, baseline: Counter[str]) -> BaselineOutcome:
    """Drop the findings the baseline knows (as many of each as it recorded)."""
    remaining = Counter(baseline)
    known: list[Finding] = []
    for finding in result.findings:
        if remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
            known.append(finding)
    result.drop(known)
    return BaselineOutcome(len(known), sum(remaining.values()))

"""The audit behind `newslint report`: every offline rule, then the corpus rules, then
statistics, history and trends. Returns an AuditRun; reporters turn it into files."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from validator.app import CheckOptions, CheckRun, prepare
from validator.corpus_phase import add_corpus_findings, corpus_rules
from validator.engine import CheckRequest, Progress, RunResult, run_check
from validator.history import REPORTED_RUN_FIELDS, Alert, History, HistoryError, provider_alerts
from validator.report.json_ import build as build_json_report
from validator.summary import RecordSummary

UNKNOWN_PROVIDER = "(no provider)"


@dataclass
class AuditRun:
    run: CheckRun
    stats: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier runs, oldest first
    alerts: list[Alert] = field(default_factory=list)
    history_path: Path | None = None

    @property
    def previous(self) -> dict[str, Any] | None:
        return self.history[-1] if self.history else None

    def report(self) -> dict[str, Any]:
        """The JSON report with its `stats` and `history` sections."""
        document: dict[str, Any] = build_json_report(self.run.report_context())
        document["stats"] = self.stats
        document["history"] = {
            "runs": [{k: run[k] for k in REPORTED_RUN_FIELDS} for run in self.history],
            "alerts": [
                {"provider": a.provider, "rate": round(a.rate, 4), "usual": round(a.usual, 4)}
                for a in self.alerts
            ],
        }
        return document


def audit(
    options: CheckOptions, history_path: Path | None = None, progress: Progress | None = None
) -> AuditRun:
    request, fail_on, registry = prepare(replace(options, summaries=True))
    cache = request.cache
    try:
        result = run_check(request, progress)
    finally:
        if cache is not None:
            cache.close()
    add_corpus_findings(result, corpus_rules(request, online=options.online), request)
    run = CheckRun(result, fail_on, registry, request.notes)
    stats = compute_stats(result)
    audit_run = AuditRun(run, stats)
    if history_path is not None:
        _use_history(audit_run, history_path, history_scope(options, request))
    return audit_run


def _use_history(audit_run: AuditRun, path: Path, scope: str) -> None:
    """Read the trend from the history and append this run. A history that cannot be used
    (damaged, another program's database, read-only) is left as it is and noted: the audit
    itself still stands."""
    try:
        history = History(path, scope)
        try:
            earlier = history.runs()
            alerts = provider_alerts(audit_run.stats, earlier)
            history.record(audit_run.stats)
        finally:
            history.close()
    except (HistoryError, sqlite3.Error) as error:
        audit_run.run.notes.append(f"history not used: {error}")
        return
    audit_run.history, audit_run.alerts, audit_run.history_path = earlier, alerts, path


def history_scope(options: CheckOptions, request: CheckRequest) -> str:
    """What a run audits, for the history: the paths, each active rule's slug, version,
    severity and options, and the run-wide settings. Runs of another corpus or configuration
    in the same history file are not this run's trend."""
    paths = sorted(str(path.resolve()) for path in options.paths)
    rules = sorted(
        f"{a.rule.slug}@{a.rule.version}:{a.severity.value}:{a.rule.options.model_dump_json()}"
        for a in request.selection.rules_for("")
    )
    text = json.dumps([paths, rules, request.settings_fingerprint, options.online])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def compute_stats(result: RunResult) -> dict[str, Any]:
    summary_of: dict[tuple[str, int], RecordSummary] = {
        (s.path, s.record): s for s in result.summaries
    }
    provider_of = {key: s.provider or UNKNOWN_PROVIDER for key, s in summary_of.items()}
    records_by_provider: Counter[str] = Counter(provider_of.values())
    # One count per record, as `records` counts them: from the de-duplicated summaries.
    records_by_type: Counter[str] = Counter(s.type or "(none)" for s in summary_of.values())
    records_by_month: Counter[str] = Counter(s.month or "(none)" for s in summary_of.values())
    # A record that could not be read has no summary, but it is one of `records` and its
    # findings are counted: it belongs to no provider, type or month, rather than to none.
    unsummarised = max(0, result.records - len(summary_of))
    if unsummarised:
        records_by_provider[UNKNOWN_PROVIDER] += unsummarised
        records_by_type["(none)"] += unsummarised
        records_by_month["(none)"] += unsummarised
    findings_by_provider: Counter[str] = Counter()
    severity_by_provider: dict[str, Counter[str]] = defaultdict(Counter)
    findings_by_month: Counter[str] = Counter()
    with_findings: set[tuple[str, int]] = set()
    for finding in result.findings:
        key = (finding.path, finding.record)
        provider = provider_of.get(key, UNKNOWN_PROVIDER)
        findings_by_provider[provider] += 1
        severity_by_provider[provider][finding.severity.value] += 1
        summary = summary_of.get(key)
        findings_by_month[summary.month if summary and summary.month else "(none)"] += 1
        with_findings.add(key)
    records = result.records
    clean = max(0, records - len(with_findings))
    by_provider = {
        provider: {
            "records": records_by_provider.get(provider, 0),
            "findings": findings_by_provider.get(provider, 0),
            "errors": severity_by_provider[provider].get("error", 0),
            "warnings": severity_by_provider[provider].get("warning", 0),
            "infos": severity_by_provider[provider].get("info", 0),
        }
        for provider in sorted(set(records_by_provider) | set(findings_by_provider))
    }
    ranked = sorted(
        (p for p, row in by_provider.items() if row["findings"]),
        key=lambda p: (-by_provider[p]["findings"], p),
    )
    top = [
        {
            "provider": p,
            "records": by_provider[p]["records"],
            "findings": by_provider[p]["findings"],
            "rate": (
                round(by_provider[p]["findings"] / by_provider[p]["records"], 4)
                if by_provider[p]["records"]
                else None
            ),
        }
        for p in ranked[:10]
    ]
    return {
        "files": len(result.files),
        "records": records,
        "findings": len(result.findings),
        "clean_records": clean,
        "clean_share": round(clean / records, 4) if records else 1.0,
        "by_provider": by_provider,
        "records_by_type": dict(sorted(records_by_type.items())),
        "by_month": {
            month: {
                "records": records_by_month.get(month, 0),
                "findings": findings_by_month.get(month, 0),
            }
            for month in sorted(set(records_by_month) | set(findings_by_month))
        },
        "findings_by_severity": result.count_by_severity(),
        "findings_by_family": dict(
            sorted(Counter(f.rule.split("/")[0] for f in result.findings).items())
        ),
        "findings_by_rule": result.count_by_rule(),
        "top_providers": top,
    }

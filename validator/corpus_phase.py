"""The phase after every record was checked: rules that look across records (corpus/) or
reach the network (online checks) run over the record summaries of the whole run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from validator.engine import CheckRequest, RunResult, finding_fingerprint
from validator.findings import Finding
from validator.load import load_file
from validator.rule import CorpusRule
from validator.selection import ActiveRule


def corpus_rules(request: CheckRequest, *, online: bool, offline: bool = True) -> list[ActiveRule]:
    """The active corpus rules: the offline ones if ``offline``, the online ones if ``online``."""
    return [
        entry
        for entry in request.selection.rules_for("")
        if isinstance(entry.rule, CorpusRule)
        and ((entry.rule.online and online) or (not entry.rule.online and offline))
    ]


def add_corpus_findings(result: RunResult, active: list[ActiveRule], request: CheckRequest) -> None:
    """Run corpus (and online) rules over the run's record summaries and add their findings,
    placed at their pointers' lines."""
    limits = request.limits
    problems = []
    for entry in active:
        assert isinstance(entry.rule, CorpusRule)
        for problem in entry.rule.check_corpus(result.summaries, request.context):
            problems.append((entry, problem))
    if not problems:
        return
    # Positions: each file with a corpus finding is read again (only those files).
    by_path: dict[str, Any] = {}  # path -> its records
    for _, problem in problems:
        if problem.path not in by_path:
            by_path[problem.path] = load_file(Path(problem.path), problem.path, limits).records
    added = []
    for entry, problem in problems:
        records = by_path[problem.path]
        record = records[problem.record] if problem.record < len(records) else records[0]
        position = record.locate(problem.pointer)
        added.append(
            Finding(
                entry.rule.slug,
                entry.rule.code,
                entry.severity,
                problem.message,
                problem.path,
                position.line,
                position.column,
                None,
                problem.pointer,
                problem.record,
                finding_fingerprint(entry.rule.slug, record, problem.pointer, position.line),
            )
        )
    order = {file.path: index for index, file in enumerate(result.files)}
    result.replace_findings(
        sorted(
            [*result.findings, *added],
            key=lambda f: (order.get(f.path, len(order)), *f.sort_key()),
        )
    )

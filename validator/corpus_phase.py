"""The phase after every record was checked: rules that look across records (corpus/) or
reach the network (online checks) run over the record summaries of the whole run."""

from __future__ import annotations

from pathlib import Path

from validator.engine import CheckRequest, RunResult, finding_fingerprint
from validator.findings import Finding
from validator.load import load_file
from validator.records import Record
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
    # Positions: each file with a corpus finding is read again (only those files), keeping
    # only the records named (a JSON lines file is read as a stream, whatever its size).
    wanted: dict[str, set[int]] = {}
    for _, problem in problems:
        wanted.setdefault(problem.path, {0}).add(problem.record)
    by_path: dict[str, dict[int, Record]] = {}  # path -> its records named, by index
    for path, indexes in wanted.items():
        records = load_file(Path(path), path, limits).records
        by_path[path] = {record.index: record for record in records if record.index in indexes}
    added = []
    for entry, problem in problems:
        records_named = by_path[problem.path]
        record = records_named.get(problem.record) or records_named[0]
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

"""The phase after every record was checked: rules that look across records (corpus/) or
reach the network (online checks) run over the record summaries of the whole run."""

from __future__ import annotations

import heapq
from collections.abc import Generator, Iterator
from pathlib import Path

from validator.discover import file_relative
from validator.engine import CheckRequest, RunResult, finding_fingerprint
from validator.findings import Finding
from validator.load import load_file
from validator.records import Position, Record
from validator.rule import CorpusProblem, CorpusRule
from validator.selection import ActiveRule


def corpus_rules(request: CheckRequest, *, online: bool, offline: bool = True) -> list[ActiveRule]:
    """The active corpus rules: the offline ones if ``offline``, the online ones if ``online``."""
    return [
        entry
        for entry in request.selection.rules_for("")
        if isinstance(entry.rule, CorpusRule)
        and ((entry.rule.online and online) or (not entry.rule.online and offline))
    ]


Placed = tuple[ActiveRule, CorpusProblem]


def add_corpus_findings(result: RunResult, active: list[ActiveRule], request: CheckRequest) -> None:
    """Run corpus (and online) rules over the run's record summaries and add their findings,
    placed at their pointers' lines."""
    by_path: dict[str, list[Placed]] = {}
    for entry in active:
        assert isinstance(entry.rule, CorpusRule)
        for problem in entry.rule.check_corpus(result.summaries, request.context):
            by_path.setdefault(problem.path, []).append((entry, problem))
    if not by_path:
        return
    record_lines = {(s.path, s.record): s.line for s in result.summaries if s.path in by_path}
    added: list[Finding] = []
    for path, placed in by_path.items():
        added.extend(_findings_in_file(path, placed, record_lines, request))
    order = {file.path: index for index, file in enumerate(result.files)}

    def key(finding: Finding) -> tuple[object, ...]:
        return (order.get(finding.path, len(order)), *finding.sort_key())

    # The run's findings are already in this order (files in discovery order, each sorted):
    # merged as a stream, so the spooled findings are never all held in memory at once.
    result.replace_findings(heapq.merge(result.findings, sorted(added, key=key), key=key))


def _findings_in_file(
    path: str, placed: list[Placed], record_lines: dict[tuple[str, int], int], request: CheckRequest
) -> Iterator[Finding]:
    """The findings of one file's corpus problems. The file is read again, as a stream, and
    only while its findings are placed: memory holds one file's records named, not every
    file's."""
    # Per-path overrides hold for corpus findings too: a rule ignored for this file reports
    # nothing on it, and one given another severity here reports at that severity.
    active_here = {
        a.rule.slug: a for a in request.selection.rules_for(file_relative(Path(path), request.root))
    }
    placed = [(active_here[e.rule.slug], p) for e, p in placed if e.rule.slug in active_here]
    wanted = {problem.record for _, problem in placed}
    if not wanted:
        return
    records = _records_named(path, wanted, request)
    for entry, problem in placed:
        record = records.get(problem.record)
        if record is None:
            # The file changed or cannot be read again since it was checked: the record's
            # own line from its summary, never another record's position.
            line = record_lines.get((path, problem.record), 1)
            record = Record(path, problem.record, line, "unknown", readable=False)
            position = Position(line, 1)
        else:
            position = _position(record, problem.pointer)
        yield Finding(
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


def _records_named(path: str, wanted: set[int], request: CheckRequest) -> dict[int, Record]:
    """The readable records of `path` whose index is wanted; reading stops after the last
    of them (a large JSON lines file is not read to its end for a duplicate near its top)."""
    found: dict[int, Record] = {}
    last = max(wanted)
    records = load_file(Path(path), path, request.limits).records
    try:
        for record in records:
            if record.index in wanted and record.readable:
                found[record.index] = record
            if record.index >= last:
                break
    finally:
        if isinstance(records, Generator):  # a JSON lines stream: close its file now
            records.close()
    return found


def _position(record: Record, pointer: str) -> Position:
    # A text record's body is no front-matter field: '/body' is its first body line, not
    # the record's opening '---'.
    if pointer == "/body" and pointer not in record.positions:
        return Position(record.body_file_line(0), 1)
    return record.locate(pointer)

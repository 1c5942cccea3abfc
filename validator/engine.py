"""The core: files → records → rule findings → a RunResult. No printing, no exit."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from validator.discover import Discovered, discover
from validator.findings import Finding, Problem, Severity
from validator.load import InputLimits, load_file, unreadable
from validator.records import Record
from validator.rule import CheckContext
from validator.selection import ActiveRule, Selection
from validator.spool import Spool
from validator.summary import RecordSummary, summarize
from validator.timelimit import TimeLimitExceeded, time_limit

if TYPE_CHECKING:
    from validator.cache import Cache

CRASH_SLUG = "internal/rule-crash"
CRASH_CODE = "NL001"
FAIL_ON_RANK = {"info": 1, "warning": 2, "error": 3, "never": 99}


@dataclass
class FileResult:
    path: str
    records: int
    status: str  # "clean" | "findings" | "unreadable"
    body_line: int = 1  # first body line of a text record (where --fix may start)
    digest: str = ""  # SHA-256 of the bytes checked (--fix refuses other bytes)


def _file_fields(file: FileResult) -> list[Any]:
    return [file.path, file.records, file.status, file.body_line, file.digest]


def _file_from(fields: list[Any]) -> FileResult:
    return FileResult(*fields)


def _finding_fields(finding: Finding) -> list[Any]:
    return [
        finding.rule,
        finding.code,
        finding.severity.value,
        finding.message,
        finding.path,
        finding.line,
        finding.column,
        finding.end_line,
        finding.pointer,
        finding.record,
        finding.fingerprint,
    ]


def _finding_from(fields: list[Any]) -> Finding:
    rule, code, severity, *rest = fields
    return Finding(rule, code, Severity(severity), *rest)


def file_spool(items: Iterable[FileResult] = ()) -> Spool[FileResult]:
    return Spool(_file_fields, _file_from, items)


def finding_spool(items: Iterable[Finding] = ()) -> Spool[Finding]:
    return Spool(_finding_fields, _finding_from, items)


@dataclass
class RunResult:
    """Files and findings are spooled (validator/spool.py): memory stays flat with the corpus.
    Their entries are copies: change them with replace_findings / mark_files."""

    files: Spool[FileResult] = field(default_factory=file_spool)
    findings: Spool[Finding] = field(default_factory=finding_spool)
    crashed: bool = False
    timed_out: bool = False
    summaries: list[RecordSummary] = field(default_factory=list)
    records: int = 0

    def add(self, outcome: FileOutcome) -> None:
        self.crashed |= outcome.crashed
        self.timed_out |= outcome.timed_out
        self.records += outcome.records
        self.files.append(
            FileResult(
                outcome.path, outcome.records, outcome.status, outcome.body_line, outcome.digest
            )
        )
        self.findings.extend(outcome.findings)
        self.summaries.extend(outcome.summaries)

    def count_by_severity(self) -> dict[str, int]:
        counts = {severity.value: 0 for severity in Severity}
        for finding in self.findings:
            counts[finding.severity.value] += 1
        return counts

    def count_by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.rule] = counts.get(finding.rule, 0) + 1
        return dict(sorted(counts.items()))

    def replace_findings(self, findings: Iterable[Finding]) -> None:
        """Swap in a new list of findings; files left with none become clean, files that
        gained one are marked."""
        self.findings = self.findings.empty_like(findings)
        flagged = {f.path for f in self.findings}
        self.files = self.files.empty_like(
            replace(file, status=_status(file.status, file.path in flagged)) for file in self.files
        )

    def drop(self, fixed: Iterable[Finding]) -> None:
        """Forget findings that --fix (or a baseline) resolved."""
        gone = Counter(fixed)  # findings are values: equal findings are interchangeable
        kept = []
        for finding in self.findings:
            if gone[finding] > 0:
                gone[finding] -= 1
            else:
                kept.append(finding)
        self.replace_findings(kept)

    def exit_code(self, fail_on: str) -> int:
        if self.crashed:
            return 2
        threshold = FAIL_ON_RANK[fail_on]
        return 1 if any(f.severity.rank >= threshold for f in self.findings) else 0


def _status(status: str, flagged: bool) -> str:
    if status == "unreadable":
        return status
    return "findings" if flagged else "clean"


@dataclass
class CheckRequest:
    paths: list[Path]
    root: Path  # config root: include/exclude/override globs are relative to it
    selection: Selection
    context: CheckContext
    limits: InputLimits
    include: list[str]
    exclude: list[str]
    force_exclude: bool = False  # exclude also files named on the command line (pre-commit)
    record_seconds: float = 10.0
    collect_summaries: bool = False  # the audit's corpus rules and statistics need them
    settings_fingerprint: str = ""  # run-wide settings that change findings (cache key)
    jobs: int = 1
    engine: str = "local"  # "ray": validator/ray_engine.py
    ray_address: str | None = None  # None: RAY_ADDRESS, else a local Ray with `jobs` CPUs
    cache: Cache | None = None
    # Each file's SHA-256 in its outcome: the cache keys by it and --fix checks it.
    file_digests: bool = True
    # How a worker process rebuilds this request (it is not sent across processes):
    # a picklable spec and a module-level factory taking it.
    worker_spec: Any = None
    worker_factory: Callable[[Any], CheckRequest] | None = None
    notes: list[str] = field(default_factory=list)


def display_path(path: Path) -> str:
    """Paths in reports: relative to the working directory when inside it, '/'-separated."""
    # String operations, not pathlib: this runs for every file of a warm run.
    text = os.fspath(path)
    if not os.path.isabs(text):
        text = os.path.normpath(text)
    else:
        inside = os.path.join(os.getcwd(), "")
        text = text.removeprefix(inside)
    shown = text if os.sep == "/" else Path(text).as_posix()
    # A file name that is not UTF-8 arrives with surrogate escapes, which no report can encode.
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass
class FileOutcome:
    """Everything the run keeps of one file; small and picklable (it crosses processes)."""

    path: str
    records: int
    status: str
    body_line: int
    findings: list[Finding]
    crashed: bool = False
    summaries: list[RecordSummary] = field(default_factory=list)  # for the audit only
    digest: str = ""
    timed_out: bool = False  # reading stopped at the time limit: retried, never cached
    # The settings fingerprint a worker process checked with (it reads the configuration
    # again): the result cache keeps the outcome only if it is the run's own. None: checked
    # in the run's process, with the run's settings.
    settings_fingerprint: str | None = None


Progress = Callable[[int, int], None]  # (files done, files in all)


def run_check(request: CheckRequest, progress: Progress | None = None) -> RunResult:
    from validator.runner import execute

    result = RunResult()
    for outcome in execute(request, progress):
        result.add(outcome)
    return result


def iter_items(request: CheckRequest) -> Iterator[Discovered]:
    return discover(
        request.paths, request.root, request.include, request.exclude, request.force_exclude
    )


def discover_items(request: CheckRequest) -> list[Discovered]:
    return list(iter_items(request))


def check_file(item: Discovered, request: CheckRequest) -> FileOutcome:
    shown = display_path(item.path)
    load_timed_out = False
    if item.problem is not None:
        loaded = unreadable(shown, "input/unreadable", item.problem)
    else:
        try:
            with time_limit(request.record_seconds):
                loaded = load_file(item.path, shown, request.limits, request.file_digests)
        except TimeLimitExceeded:
            load_timed_out = True
            loaded = unreadable(
                shown,
                "input/too-large",
                f"reading the file took longer than {request.record_seconds:g} s; "
                "it was not checked (raise limits.record-seconds if it is genuine)",
            )
    active = request.selection.rules_for(item.relative)
    findings: list[Finding] = []
    crashed = False
    # Records are checked one at a time as they are read (a JSON lines file streams): only
    # what the outcome needs is kept of each.
    count = 0
    body_line = 1
    readable = False
    summaries: list[RecordSummary] = []
    # Records already in memory cannot stall; only a file read as it is checked is timed.
    timed = (
        None
        if isinstance(loaded.records, list)
        else _TimedReading(loaded.records, shown, request.record_seconds)
    )
    for record in loaded.records if timed is None else timed:
        if count == 0:
            body_line = record.body_line
        count += 1
        record_findings, record_crashed = check_record(record, active, request, item.relative)
        crashed |= record_crashed
        findings.extend(record_findings)
        # A file is unreadable only when none of its records could be read (one broken
        # JSON line leaves the rest checked).
        if record.readable:
            readable = True
            if request.collect_summaries:
                summaries.append(summarize(record))
    findings.sort(key=Finding.sort_key)
    status = "unreadable" if not readable else ("findings" if findings else "clean")
    return FileOutcome(
        loaded.path,
        count,
        status,
        body_line,
        findings,
        crashed,
        summaries,
        loaded.digest,
        timed_out=load_timed_out or (timed is not None and timed.stalled),
    )


class _TimedReading:
    """Each record read within the time limit: a JSON lines file is read while it is checked,
    so a stalled read stops there, reported, and the records before it still count."""

    def __init__(self, records: Iterable[Record], path: str, seconds: float) -> None:
        self.records = records
        self.path = path
        self.seconds = seconds
        self.stalled = False

    def __iter__(self) -> Iterator[Record]:
        reading = iter(self.records)
        last_line = 0
        index = 0
        while True:
            try:
                with time_limit(self.seconds):
                    record = next(reading, None)
            except TimeLimitExceeded:
                self.stalled = True
                yield self._stalled_record(index, last_line)
                return
            if record is None:
                return
            last_line = max(last_line, record.line)
            index = record.index + 1
            yield record

    def _stalled_record(self, index: int, last_line: int) -> Record:
        stalled = Record(self.path, index, last_line + 1, "unknown", readable=False)
        stalled.add_load_problem(
            "input/too-large",
            Problem(
                f"reading the file took longer than {self.seconds:g} s after line {last_line}; "
                "the rest was not checked (raise limits.record-seconds if it is genuine)",
                line=last_line + 1,
                column=1,
            ),
        )
        return stalled


def crash_outcome(item: Discovered, reason: str) -> FileOutcome:
    """The outcome of a file whose worker process died: reported, never lost."""
    shown = display_path(item.path)
    finding = Finding(CRASH_SLUG, CRASH_CODE, Severity.ERROR, reason, shown, 1, 1, None, "", 0)
    return FileOutcome(shown, 1, "unreadable", 1, [finding], crashed=True)


def check_record(
    record: Record, active: list[ActiveRule], request: CheckRequest, relative: str | None = None
) -> tuple[list[Finding], bool]:
    """The record's findings, and whether a rule crashed. ``relative``: the file's path
    relative to the configuration, which fingerprints hold (default: the path shown)."""
    identity_path = record.path if relative is None else relative
    findings: list[Finding] = []
    crashed = False
    current = "(none)"
    context = request.context
    try:
        with time_limit(request.record_seconds):
            for entry in active:
                rule = entry.rule
                current = rule.slug
                if not rule.applies_to(record):
                    continue
                try:
                    problems = list(rule.check(record, context))
                except TimeLimitExceeded:
                    raise
                except Exception as error:  # a rule bug must not stop the run or lose the file
                    crashed = True
                    findings.append(
                        _crash_finding(
                            record,
                            identity_path,
                            f"rule {rule.slug} crashed on this record: "
                            f"{type(error).__name__}: {_safe_text(error)}; please report it",
                        )
                    )
                    continue
                if problems:  # most rules find nothing in most records
                    findings.extend(
                        _finding(record, identity_path, rule.slug, rule.code, entry.severity, p)
                        for p in problems
                    )
    except TimeLimitExceeded:
        crashed = True
        findings.append(
            _crash_finding(
                record,
                identity_path,
                f"checking this record took longer than {request.record_seconds:g} s and was "
                f"stopped (in rule {current}); its other findings may be missing",
            )
        )
    return findings, crashed


def _crash_finding(record: Record, identity_path: str, message: str) -> Finding:
    return _finding(record, identity_path, CRASH_SLUG, CRASH_CODE, Severity.ERROR, Problem(message))


def _safe_text(error: Exception) -> str:
    # Exception text could quote record content; keep it short.
    text = str(error)
    return text if len(text) <= 200 else text[:200] + "…"


def _finding(
    record: Record,
    identity_path: str,
    slug: str,
    code: str,
    severity: Severity,
    problem: Problem,
) -> Finding:
    if problem.line is not None:
        line = problem.line
        column = problem.column or 1
        end_line = problem.end_line
    else:
        position = record.locate(problem.pointer)
        line, column = position.line, position.column
        end_line = problem.end_line if problem.end_line is not None else position.end_line
    if end_line is not None and end_line <= line:
        end_line = None
    fingerprint = finding_fingerprint(slug, record, problem.pointer, line, identity_path)
    return Finding(
        rule=slug,
        code=code,
        severity=severity,
        message=printable(problem.message),
        path=record.path,
        line=line,
        column=column,
        end_line=end_line,
        pointer=problem.pointer,
        record=record.index,
        fingerprint=fingerprint,
    )


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def printable(message: str) -> str:
    """A message safe for every output: control characters (they would break XML, or drive a
    terminal) and lone surrogates (they cannot be encoded) are shown as escapes."""
    if not _CONTROL.search(message):
        return message
    return _CONTROL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        message,
    )


def _value_at(data: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(data, dict):
            data = data.get(token)
        elif isinstance(data, list) and token.isdigit() and int(token) < len(data):
            data = data[int(token)]
        else:
            return None
    return data


def finding_fingerprint(
    slug: str, record: Record, pointer: str, line: int, identity_path: str | None = None
) -> str:
    """rule + path + pointer + a hash of the offending content: the field's value, or the
    text of the body line. Never the line number, so unrelated edits keep it stable.

    ``identity_path``: the file's path relative to the configuration (Discovered.relative),
    as the result cache keys it, so that a fingerprint does not depend on the working folder
    (and a cached finding has the fingerprint an uncached run makes); default: the path
    shown, the same when the working folder is the configuration's."""
    if pointer and record.data is not None:
        content = json.dumps(_value_at(record.data, pointer), sort_keys=True, default=str)
    elif (
        record.body is not None and not record.body_lines_map_to_record and line >= record.body_line
    ):
        lines = record.body_line_list()
        index = line - record.body_line
        content = " ".join(lines[index].split()) if index < len(lines) else ""
    else:
        content = ""
    identity = record.index  # the record within its file: its URL where it has one
    if record.data is not None:
        identity = record.data.get("webUrl") or record.data.get("originalUrl") or record.index
    path = record.path if identity_path is None else identity_path
    text = f"{slug}\0{path}\0{identity}\0{pointer}\0{content}"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]

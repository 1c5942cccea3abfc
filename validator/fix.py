"""--fix and --diff: remove the body lines that fixable rules flagged, and nothing else.

Writes are atomic (a temporary file in the same folder, then a rename; permissions kept),
byte-exact outside the removed lines (line endings kept, front matter untouched), and
idempotent: a fixed file has no fixable findings left, so a second run changes nothing.
Only text records are fixed; a JSON body is one string, which is left for a person to edit.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import stat
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from validator.engine import RunResult
from validator.findings import Finding
from validator.load.source import content_digest
from validator.registry import Registry

_LINES = re.compile(rb"[^\n]*\n|[^\n]+\Z")
FIXABLE_SUFFIXES = {".md", ".markdown", ".txt"}


@dataclass
class FilePlan:
    path: str
    original: bytes
    remove: list[int]  # 1-based line numbers, sorted
    fixed: list[Finding] = field(default_factory=list)

    @property
    def lines(self) -> list[bytes]:
        return _LINES.findall(self.original)

    def fixed_bytes(self) -> bytes:
        drop = set(self.remove)
        return b"".join(line for n, line in enumerate(self.lines, start=1) if n not in drop)


@dataclass
class FixOutcome:
    plans: list[FilePlan]
    skipped: list[str]  # reasons files with fixable findings were left alone

    @property
    def lines_removed(self) -> int:
        return sum(len(p.remove) for p in self.plans)


def _blank(line: bytes) -> bool:
    return not line.strip()


def lines_to_remove(lines: list[bytes], flagged: set[int], body_start: int) -> list[int]:
    """The flagged body lines, plus the blank lines that only separated them: where a removal
    falls between two kept lines one blank line is kept; at the start or end of the body none."""
    remove = {n for n in flagged if body_start <= n <= len(lines)}
    if not remove:
        return []
    blanks: list[int] = []
    gap_had_removal = False
    seen_kept = False
    for number in range(body_start, len(lines) + 1):
        if number in remove:
            gap_had_removal = True
        elif _blank(lines[number - 1]):
            blanks.append(number)
        else:
            if gap_had_removal:
                remove.update(blanks[1:] if seen_kept else blanks)
            seen_kept = True
            blanks = []
            gap_had_removal = False
    if gap_had_removal:
        remove.update(blanks)
    return sorted(remove)


def plan_fixes(result: RunResult, registry: Registry) -> FixOutcome:
    body_starts = {file.path: file.body_line for file in result.files}
    checked = {file.path: file.digest for file in result.files}
    fixable: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        rule = registry.rules.get(finding.rule)
        if rule is not None and rule.fixable:
            fixable[finding.path].append(finding)
    plans, skipped = [], []
    for path, findings in sorted(fixable.items()):
        if Path(path).suffix.lower() not in FIXABLE_SUFFIXES:
            skipped.append(f"{path}: JSON bodies are not fixed automatically; edit the body")
            continue
        if any(f.rule == "input/encoding" for f in result.findings if f.path == path):
            skipped.append(f"{path}: not valid UTF-8; not fixed")
            continue
        try:
            original = Path(path).read_bytes()
        except OSError as error:
            skipped.append(f"{path}: cannot read for fixing: {error.strerror}")
            continue
        if checked.get(path) and content_digest(original) != checked[path]:
            # The findings' line numbers belong to the bytes that were checked.
            skipped.append(f"{path}: changed since it was checked; not fixed - run again")
            continue
        flagged = {n for f in findings for n in range(f.line, (f.end_line or f.line) + 1)}
        lines = _LINES.findall(original)
        remove = lines_to_remove(lines, flagged, body_starts.get(path, 1))
        if remove:
            plans.append(FilePlan(path, original, remove, findings))
    return FixOutcome(plans, skipped)


def unified_diff(plan: FilePlan) -> str:
    before = plan.original.decode("utf-8", errors="replace").splitlines(keepends=True)
    after = plan.fixed_bytes().decode("utf-8", errors="replace").splitlines(keepends=True)
    diff = difflib.unified_diff(before, after, f"a/{plan.path}", f"b/{plan.path}")
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in diff
    )


class FixConflict(Exception):
    """The file changed on disk between reading and writing; it was left alone."""


def write_atomically(path: Path, data: bytes, expected: bytes) -> None:
    """Replace ``path`` with ``data`` unless its content is no longer ``expected``."""
    if path.read_bytes() != expected:
        raise FixConflict(f"{path}: changed on disk while fixing; run newslint again")
    mode = stat.S_IMODE(path.stat().st_mode)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".newslint-tmp", dir=path.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def apply_fixes(outcome: FixOutcome) -> list[str]:
    """Write every plan; returns the problems of the files that could not be written."""
    problems = []
    for plan in list(outcome.plans):
        try:
            write_atomically(Path(plan.path), plan.fixed_bytes(), plan.original)
        except (OSError, FixConflict) as error:
            problems.append(
                str(error) if isinstance(error, FixConflict) else f"{plan.path}: {error}"
            )
            outcome.plans.remove(plan)
    return problems

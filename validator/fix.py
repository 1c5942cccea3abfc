"""--fix and --diff: remove the body lines that fixable rules flagged, and nothing else.

Writes are atomic (a temporary file beside the real file, through symlinks, then a rename;
mode, owner and group kept) and byte-exact outside the removed lines (line endings and a
byte-order mark kept, front matter untouched). Left alone, with the reason said: JSON records
(a body is one string), files that are not UTF-8 or whose name is not, files changed since
their check, read-only files and files with other hard links, and a body that is boilerplate
from end to end (fixing it would leave no article). `check --fix` checks again after fixing,
until nothing fixable is left (at most five rounds), so a second run changes nothing.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import os
import re
import stat
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from validator.engine import FileResult, RunResult
from validator.findings import Finding
from validator.load import FORMATS_BY_SUFFIX
from validator.load.source import content_digest
from validator.registry import Registry

_LINES = re.compile(rb"[^\n]*\n|[^\n]+\Z")


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
        kept = b"".join(line for n, line in enumerate(self.lines, start=1) if n not in drop)
        if 1 in drop and self.original.startswith(codecs.BOM_UTF8):
            kept = codecs.BOM_UTF8 + kept  # the byte-order mark is the file's, not line 1's
        return kept


@dataclass
class FixOutcome:
    plans: list[FilePlan]
    skipped: list[str]  # reasons files with fixable findings were left alone

    @property
    def lines_removed(self) -> int:
        return sum(len(p.remove) for p in self.plans)


def _blank(line: bytes) -> bool:
    # As the rules see it: str.strip() also takes a no-break space, which scraped bodies use
    # for empty paragraphs.
    return not line.decode("utf-8", "replace").strip()


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
    files: dict[str, FileResult] = {}
    shared: set[str] = set()  # shown paths that stand for more than one file
    for file in result.files:
        if file.path in files:
            shared.add(file.path)
        files[file.path] = file
    fixable: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        rule = registry.rules.get(finding.rule)
        if rule is not None and rule.fixable:
            fixable[finding.path].append(finding)
    plans: list[FilePlan] = []
    skipped: list[str] = []
    planned: set[str] = set()  # the real files planned, whatever name they were given
    for path, findings in sorted(fixable.items()):
        plan = _plan(path, findings, files.get(path), path in shared)
        if isinstance(plan, str):
            skipped.append(f"{path}: {plan}")
        elif plan is not None and (real := os.path.realpath(path)) not in planned:
            planned.add(real)  # the same file named twice (a link, another spelling): once
            plans.append(plan)
    return FixOutcome(plans, skipped)


def _plan(
    path: str, findings: list[Finding], file: FileResult | None, shared: bool
) -> FilePlan | str | None:
    """The fix of one file, why it is left alone, or None when nothing is to be removed."""
    if FORMATS_BY_SUFFIX.get(Path(path).suffix.lower(), "markdown") != "markdown":
        return "JSON bodies are not fixed automatically (a body is one string); edit the body"
    if shared or "\ufffd" in path:
        # The report names it by a shown path, which a name that is not UTF-8 (or a second
        # file shown the same) makes ambiguous: opening it could cut another file.
        return "its name is not valid UTF-8, so it cannot be told apart safely; rename it"
    if file is None or not file.digest:
        return "the bytes that were checked are not known; not fixed - run again"
    try:
        original = Path(path).read_bytes()
    except OSError as error:
        return f"cannot read for fixing: {error.strerror}"
    if content_digest(original) != file.digest:
        # The findings' line numbers belong to the bytes that were checked.
        return "changed since it was checked; not fixed - run again"
    try:
        original.decode("utf-8")  # UTF-16 or broken bytes: lines would not be lines
    except UnicodeDecodeError:
        return "not valid UTF-8; not fixed"
    flagged = {n for f in findings for n in range(f.line, (f.end_line or f.line) + 1)}
    lines = _LINES.findall(original)
    remove = lines_to_remove(lines, flagged, file.body_line)
    if not remove:
        return None
    left = set(range(file.body_line, len(lines) + 1)) - set(remove)
    if all(_blank(lines[number - 1]) for number in left):
        return (
            "every body line is boilerplate: fixing would leave no article "
            "(boilerplate/only-boilerplate); edit it by hand"
        )
    return FilePlan(path, original, remove, findings)


def unified_diff(plan: FilePlan) -> str:
    # Lines end at LF alone, as --fix sees them (str.splitlines would also break at U+2028,
    # a lone CR or a form feed, and print a diff that patch refuses).
    before = [line.decode("utf-8", "replace") for line in plan.lines]
    after = [line.decode("utf-8", "replace") for line in _LINES.findall(plan.fixed_bytes())]
    diff = difflib.unified_diff(before, after, f"a/{plan.path}", f"b/{plan.path}")
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in diff
    )


class NotFixed(Exception):
    """The file was left alone; the message says why."""


class FixConflict(NotFixed):
    """The file changed on disk between reading and writing; it was left alone."""


def write_atomically(path: Path, data: bytes, expected: bytes) -> None:
    """Replace the file at ``path`` (through symlinks: the file they lead to) with ``data``,
    unless its content is no longer ``expected``. Mode, owner and group are kept; a file that
    is read-only, or has other hard links (a rename would split them), is left alone."""
    target = Path(os.path.realpath(path))
    if target.read_bytes() != expected:
        raise FixConflict(f"{path}: changed on disk while fixing; run newslint again")
    status = target.stat()
    if not status.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(
        target, os.W_OK
    ):
        raise NotFixed(f"{path}: read-only; not fixed (make it writable to fix it)")
    if status.st_nlink > 1:
        raise NotFixed(f"{path}: has {status.st_nlink} hard links; not fixed (edit it by hand)")
    # A short fixed name: '.<record name>...' could exceed the file system's name limit.
    handle, temporary = tempfile.mkstemp(prefix=".newslint-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        _keep_owner(temporary, status, path)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _keep_owner(temporary: str, status: os.stat_result, path: Path) -> None:
    written = os.stat(temporary)
    if (written.st_uid, written.st_gid) == (status.st_uid, status.st_gid):
        return
    try:
        os.chown(temporary, status.st_uid, status.st_gid)
    except PermissionError:
        raise NotFixed(
            f"{path}: owned by another user; not fixed (its owner would change)"
        ) from None


def apply_fixes(outcome: FixOutcome) -> list[str]:
    """Write every plan; returns the problems of the files that could not be written."""
    problems = []
    for plan in list(outcome.plans):
        try:
            write_atomically(Path(plan.path), plan.fixed_bytes(), plan.original)
        except (OSError, NotFixed) as error:
            problems.append(str(error) if isinstance(error, NotFixed) else f"{plan.path}: {error}")
            outcome.plans.remove(plan)
    return problems

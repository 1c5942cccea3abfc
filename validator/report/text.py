"""Human-readable output: `path:line:col: severity [slug CODE] message`, then a summary."""

from __future__ import annotations

from typing import TextIO

from validator.engine import printable
from validator.findings import Severity
from validator.report.base import ReportContext

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def summary_line(context: ReportContext) -> str:
    result = context.result
    counts = result.count_by_severity()
    parts = [f"{counts[s.value]} {s.value}{'s' if counts[s.value] != 1 else ''}" for s in Severity]
    files = len(result.files)
    records = result.records
    crashed = "; a rule crashed (exit 2)" if result.crashed else ""
    return (
        f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''} "
        f"({', '.join(parts)}) in {files} file{'s' if files != 1 else ''}, "
        f"{records} record{'s' if records != 1 else ''}{crashed}"
    )


def write(context: ReportContext, out: TextIO) -> None:
    color = context.color
    for finding in context.result.findings:
        # A file name may hold a newline or an escape sequence: shown as escapes, so that
        # no name starts a line of its own (a CI log reads `::command` lines) or drives a
        # terminal. Messages are printable already, unless a phase after the rules made them.
        where = f"{printable(finding.path)}:{finding.line}:{finding.column}"
        label = finding.severity.value
        rule = f"[{finding.rule} {finding.code}]"
        if color:
            where = f"{_BOLD}{where}{_RESET}"
            label = f"{_COLORS[finding.severity]}{label}{_RESET}"
            rule = f"{_DIM}{rule}{_RESET}"
        out.write(f"{where}: {label} {rule} {printable(finding.message)}\n")
    out.write(summary_line(context) + "\n")

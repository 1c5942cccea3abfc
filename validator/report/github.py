"""GitHub Actions workflow commands: `::error file=…,line=…::message` per finding."""

from __future__ import annotations

from typing import TextIO

from validator.findings import Severity
from validator.report.base import ReportContext, without_surrogates
from validator.report.text import summary_line

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    text = without_surrogates(text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write(context: ReportContext, out: TextIO) -> None:
    for finding in context.result.findings:
        properties = [
            f"file={_escape_property(finding.path)}",
            f"line={finding.line}",
            f"col={finding.column}",
        ]
        if finding.end_line is not None:
            properties.append(f"endLine={finding.end_line}")
        properties.append(f"title={_escape_property(f'{finding.rule} ({finding.code})')}")
        command = _COMMANDS[finding.severity]
        out.write(f"::{command} {','.join(properties)}::{_escape_data(finding.message)}\n")
    out.write(summary_line(context) + "\n")

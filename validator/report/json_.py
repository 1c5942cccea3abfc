"""The JSON report (schemas/report.schema.json)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from validator.report.base import ReportContext, dumps


def _summary(context: ReportContext) -> dict[str, Any]:
    result = context.result
    return {
        "files": len(result.files),
        "records": result.records,
        "findings": len(result.findings),
        "by_severity": result.count_by_severity(),
        "by_rule": result.count_by_rule(),
        "exit_code": result.exit_code(context.fail_on),
    }


def _file_entries(context: ReportContext) -> Iterable[dict[str, Any]]:
    return (
        {"path": f.path, "records": f.records, "status": f.status} for f in context.result.files
    )


def _finding_entries(context: ReportContext) -> Iterable[dict[str, Any]]:
    return (finding.as_dict() for finding in context.result.findings)


def build(context: ReportContext) -> dict[str, Any]:
    return {
        "tool": {"name": "newslint", "version": context.version},
        "summary": _summary(context),
        "files": list(_file_entries(context)),
        "findings": list(_finding_entries(context)),
    }


def write(context: ReportContext, out: TextIO) -> None:
    """The same document as dumps(build(context)), written entry by entry."""
    head = {"tool": {"name": "newslint", "version": context.version}}
    head["summary"] = _summary(context)
    text = dumps(head)
    out.write(text[: text.rindex("}")].rstrip("\n") + ",\n")  # the object left open
    _write_array(out, "files", _file_entries(context), last=False)
    _write_array(out, "findings", _finding_entries(context), last=True)
    out.write("}\n")


def _write_array(out: TextIO, name: str, entries: Iterable[Any], *, last: bool) -> None:
    out.write(f'  "{name}": [')
    first = True
    for entry in entries:
        # An entry indented as dumps() does it at this depth; JSON strings hold no raw newline.
        body = dumps(entry).rstrip("\n").replace("\n", "\n    ")
        out.write(("\n    " if first else ",\n    ") + body)
        first = False
    out.write("]" if first else "\n  ]")
    out.write("\n" if last else ",\n")

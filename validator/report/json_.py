"""The JSON report (schemas/report.schema.json)."""

from __future__ import annotations

from typing import Any

from validator.report.base import ReportContext, dumps


def build(context: ReportContext) -> dict[str, Any]:
    result = context.result
    return {
        "tool": {"name": "newslint", "version": context.version},
        "summary": {
            "files": len(result.files),
            "records": result.records,
            "findings": len(result.findings),
            "by_severity": result.count_by_severity(),
            "by_rule": result.count_by_rule(),
            "exit_code": result.exit_code(context.fail_on),
        },
        "files": [{"path": f.path, "records": f.records, "status": f.status} for f in result.files],
        "findings": [finding.as_dict() for finding in result.findings],
    }


def render(context: ReportContext) -> str:
    return dumps(build(context))

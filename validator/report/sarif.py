"""SARIF 2.1.0 for GitHub code scanning: rules with their cards, results with regions."""

from __future__ import annotations

import os
from pathlib import PurePath
from typing import Any, TextIO
from urllib.parse import quote

from validator.findings import Finding, Severity
from validator.report.base import ReportContext, dumps

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def build(context: ReportContext) -> dict[str, Any]:
    registry = context.registry
    used = sorted({f.rule for f in context.result.findings})
    rule_index = {slug: index for index, slug in enumerate(used)}
    rules: list[dict[str, Any]] = []
    for slug in used:
        rule = registry.rules.get(slug)
        if rule is None:
            rules.append({"id": slug})
            continue
        rules.append(
            {
                "id": slug,
                "name": rule.__name__,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": " ".join(rule.what.split())},
                "help": {"text": rule.card(), "markdown": rule.card()},
                "defaultConfiguration": {"level": _LEVELS[rule.severity]},
                "properties": {"code": rule.code, "family": rule.slug.split("/")[0]},
            }
        )
    results = []
    for finding in context.result.findings:
        physical: dict[str, Any] = {"artifactLocation": _artifact_location(finding.path)}
        region = _region(finding)
        if region:
            physical["region"] = region
        results.append(
            {
                "ruleId": finding.rule,
                "ruleIndex": rule_index[finding.rule],
                "level": _LEVELS[finding.severity],
                "message": {"text": finding.message},
                "locations": [{"physicalLocation": physical}],
                "properties": {
                    "code": finding.code,
                    "pointer": finding.pointer,
                    "record": finding.record,
                },
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "newslint",
                        "version": context.version,
                        "semanticVersion": context.version,
                        "rules": rules,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
                "invocations": [_invocation(context)],
            }
        ],
    }


def _artifact_location(path: str) -> dict[str, str]:
    """A relative path is a URI reference under the source root, percent-encoded ('#', '?',
    '%' and spaces would otherwise end or corrupt it). An absolute path (a file outside the
    working folder) must be an absolute file: URI, which takes no uriBaseId."""
    if os.path.isabs(path):
        return {"uri": PurePath(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": "%SRCROOT%"}


def _region(finding: Finding) -> dict[str, int]:
    """Lines and columns are 1-based and a region cannot end before it starts: a finding
    without a usable line is placed on its file alone (an invalid region would be refused)."""
    if finding.line < 1:
        return {}
    region = {"startLine": finding.line, "startColumn": max(finding.column, 1)}
    if finding.end_line is not None and finding.end_line > finding.line:
        region["endLine"] = finding.end_line
    return region


def _invocation(context: ReportContext) -> dict[str, Any]:
    """A crashed rule or a read stopped at the time limit leaves the analysis incomplete:
    the consumer is told so, not only shown a result among the others."""
    result = context.result
    return {
        "executionSuccessful": not (result.crashed or result.timed_out),
        "exitCode": result.exit_code(context.fail_on),
    }


def render(context: ReportContext) -> str:
    return dumps(build(context))


def write(context: ReportContext, out: TextIO) -> None:
    out.write(render(context))  # one document: written whole

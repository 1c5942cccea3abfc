"""SARIF 2.1.0 for GitHub code scanning: rules with their cards, results with regions."""

from __future__ import annotations

from typing import Any, TextIO
from urllib.parse import quote

from validator.findings import Severity
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
        region: dict[str, int] = {"startLine": finding.line, "startColumn": finding.column}
        if finding.end_line is not None:
            region["endLine"] = finding.end_line
        results.append(
            {
                "ruleId": finding.rule,
                "ruleIndex": rule_index[finding.rule],
                "level": _LEVELS[finding.severity],
                "message": {"text": finding.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {
                                "uri": quote(finding.path),
                                "uriBaseId": "%SRCROOT%",
                            },
                            "region": region,
                        }
                    }
                ],
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
            }
        ],
    }


def render(context: ReportContext) -> str:
    return dumps(build(context))


def write(context: ReportContext, out: TextIO) -> None:
    out.write(render(context))  # one document: written whole

"""Shared by the reporter tests: a finding to render, and the SARIF 2.1.0 schema."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft4Validator

from tests.helpers import REPO
from validator.findings import Finding, Severity

SARIF_SCHEMA_PATH = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"  # vendored, see tests/data


def finding(**overrides: Any) -> Finding:
    """A finding of body/missing at news/a.md:3:2, with ``overrides`` applied."""
    values: dict[str, Any] = dict(
        rule="body/missing",
        code="BD001",
        severity=Severity.ERROR,
        message="plain",
        path="news/a.md",
        line=3,
        column=2,
        end_line=None,
        pointer="",
        record=0,
    )
    values.update(overrides)
    return Finding(**values)


def sarif_validator() -> Draft4Validator:
    schema = json.loads(SARIF_SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)

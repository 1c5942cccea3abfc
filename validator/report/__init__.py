"""Reporters: one module per output format, registered by name."""

from __future__ import annotations

from collections.abc import Callable

from validator.report import github, json_, junit, sarif, text
from validator.report.base import ReportContext

Reporter = Callable[[ReportContext], str]

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
}

__all__ = ["REPORTERS", "ReportContext", "Reporter"]

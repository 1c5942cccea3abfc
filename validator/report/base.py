"""What every reporter receives."""

from __future__ import annotations

from dataclasses import dataclass

from validator.engine import RunResult
from validator.registry import Registry


@dataclass(frozen=True)
class ReportContext:
    result: RunResult
    registry: Registry
    version: str
    fail_on: str = "error"
    color: bool = False

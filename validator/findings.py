"""Severities, rule-level problems and the findings a run reports."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}


@dataclass(frozen=True, slots=True)
class Problem:
    """What a rule reports: a message and where, as a JSON pointer and/or file lines.

    When ``line`` is not given the engine places the problem at the position of
    ``pointer`` in the record (the offending key), or at the record's first line.
    """

    message: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None
    end_line: int | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    code: str
    severity: Severity
    message: str
    path: str
    line: int
    column: int
    end_line: int | None
    pointer: str
    record: int
    # What the finding is about, independent of line numbers: a hash of the rule, the
    # path, the pointer and the offending content (for baselines).
    fingerprint: str = ""

    def sort_key(self) -> tuple[str, int, int, int, str, str]:
        return (self.path, self.record, self.line, self.column, self.rule, self.message)

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "pointer": self.pointer,
            "record": self.record,
        }

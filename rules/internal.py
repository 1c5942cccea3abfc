"""internal/: newslint's own failures, reported per record so that no record is lost."""

from __future__ import annotations

from rules.input import LoadProblemRule
from validator.engine import CRASH_CODE, CRASH_SLUG
from validator.findings import Severity


class RuleCrash(LoadProblemRule):
    slug = CRASH_SLUG
    code = CRASH_CODE
    severity = Severity.ERROR
    summary = "A rule raised an exception on this record"
    what = (
        "Reports a rule that crashed on a record. The run goes on with the other rules and "
        "records, and exits 2 so that CI notices."
    )
    why = "A crash must neither hide the record nor pass silently; it is a bug to report."
    bad = "internal/rule-crash: rule acme/words crashed on this record: KeyError: 'title'"
    good = "A rule that checks its inputs (record.get('title')) before using them."


RULES = (RuleCrash,)

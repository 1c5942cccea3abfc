"""schema/: the record against the JSON Schema (bundled, or the config's `schema`)."""

from __future__ import annotations

from collections.abc import Iterable

from validator.findings import Problem, Severity
from validator.records import Record, escape_pointer_token
from validator.rule import CheckContext, Rule


class SchemaViolation(Rule):
    slug = "schema/violation"
    code = "SC001"
    severity = Severity.ERROR
    summary = "Record does not match the news-record JSON Schema"
    what = (
        "Validates the front matter (or JSON record without its body) against the record "
        "schema, Draft 2020-12 with formats asserted; one finding per schema error, naming the "
        "keyword that failed ([required], [type], [format], ...) and pointing at the field."
    )
    why = (
        "Consumers of the records (site generators, apps, the API) rely on these fields and "
        "types; a missing title or a quality of 'high' breaks them."
    )
    bad = "title: Example\nquality: high        # [type] not an integer\n# excerpt missing    # [required]"
    good = "title: Example\nexcerpt: A summary\nquality: 39"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        validator = context.record_schema
        if validator is None:
            return
        for error in sorted(validator.iter_errors(record.data), key=lambda e: list(e.path)):
            pointer = "".join("/" + escape_pointer_token(str(p)) for p in error.absolute_path)
            if error.validator == "required" and isinstance(error.validator_value, list):
                missing = _missing_property(error.message)
                where = f" in {pointer}" if pointer else ""
                message = f"[required] missing field {missing!r}{where}"
            elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
                known = error.schema.get("properties", {})
                for key in error.instance:
                    if key not in known:
                        yield Problem(
                            f"[additionalProperties] unknown field {key!r}: a typo, or a field "
                            "the schema does not know",
                            pointer=f"{pointer}/{escape_pointer_token(str(key))}",
                        )
                continue
            else:
                message = f"[{error.validator}] {_shorten(error.message)}"
            yield Problem(message, pointer=pointer)


def _missing_property(message: str) -> str:
    # jsonschema says "'title' is a required property"
    return message.split("'")[1] if message.count("'") >= 2 else message


def _shorten(message: str, limit: int = 160) -> str:
    # Messages quote the offending value; a long or secret-bearing value is cut.
    return message if len(message) <= limit else message[: limit - 1] + "…"


RULES = (SchemaViolation,)

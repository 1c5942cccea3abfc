"""The record JSON Schema: found, read and compiled once per run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

from validator.config import ConfigError

if TYPE_CHECKING:  # jsonschema is imported only when a record is invalid (it costs ~75 ms)
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

RECORD_SCHEMA = "news-record.schema.json"
REPORT_SCHEMA = "report.schema.json"
CONFIG_SCHEMA = "config.schema.json"


def schema_dir() -> Path:
    """Installed wheels carry the schemas inside the package; a source checkout has them
    at the top level (schemas/), where the design card puts them."""
    packaged = resources.files("validator") / "schemas"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "schemas"


def read_bundled_schema(name: str) -> dict[str, Any]:
    with (schema_dir() / name).open(encoding="utf-8") as handle:
        result: dict[str, Any] = json.load(handle)
    return result


def _format_checker() -> FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker()
    # jsonschema checks these only when the optional validators import; newslint depends
    # on them, so fail loudly rather than silently skip the formats.
    for name in ("date-time", "uri"):
        if name not in checker.checkers:
            raise RuntimeError(f"JSON Schema format {name!r} has no checker installed")
    return checker


# Root keywords whose errors the reference lists the same way whether the properties are
# checked with the rest of the record or one at a time (see RecordSchema._by_property).
_SPLITTABLE_ROOT = frozenset(
    {
        "$schema", "$id", "$comment", "$defs", "definitions", "title", "description",
        "examples", "default", "deprecated", "readOnly", "writeOnly", "type", "required",
        "additionalProperties", "properties", "minProperties", "maxProperties",
        "dependentRequired",
    }
)  # fmt: skip


class RecordSchema:
    """The record schema, compiled twice: jsonschema-rs answers "valid?" in microseconds,
    and only for an invalid record does the reference validator (jsonschema) list the
    errors, so every finding comes from the reference implementation. A test checks that
    both agree on validity over the test corpora.

    The reference lists an invalid record's errors property by property: the root keywords
    first, then only the properties jsonschema-rs found at fault. Walking every property of
    the record through the reference costs ~1.5 ms; this ~0.1 ms, with the same errors (a
    test compares both listings on the corpora)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self._reference: Draft202012Validator | None = None

    @cached_property
    def fast(self) -> Any:
        """The jsonschema-rs validator, built on first need (a run served from the cache
        never needs it)."""
        return _fast_validator(self.schema)

    @property
    def reference(self) -> Draft202012Validator:
        """The jsonschema validator, built on first need (a clean run never needs it)."""
        if self._reference is None:
            from jsonschema import Draft202012Validator

            self._reference = Draft202012Validator(self.schema, format_checker=_format_checker())
        return self._reference

    def iter_errors(self, instance: Any) -> Iterator[ValidationError]:
        """The reference's errors, in its order or, per property, in the order sorting by
        path gives (the listings differ only before that sort)."""
        if self.fast is None:
            return self.reference.iter_errors(instance)
        if self._fast_says_valid(instance):
            return iter(())
        faulty = self._faulty_properties(instance)
        if faulty is None:
            return self.reference.iter_errors(instance)
        return self._by_property(instance, faulty)

    def _fast_says_valid(self, instance: Any) -> bool:
        try:
            return bool(self.fast.is_valid(instance))
        except (ValueError, TypeError, OverflowError):
            return False  # a value the fast validator cannot take: the reference decides

    def _faulty_properties(self, instance: Any) -> set[str] | None:
        """The top-level properties jsonschema-rs finds errors in, or None when the record
        must be listed whole (a schema or a record of another shape, a value it refuses)."""
        if self._root_only is None or not isinstance(instance, dict):
            return None
        try:
            return {
                str(error.instance_path[0])
                for error in self.fast.iter_errors(instance)
                if error.instance_path
            }
        except (ValueError, TypeError, OverflowError):
            return None

    @cached_property
    def _root_only(self) -> Validator | None:
        """The reference over the root keywords, each property schema replaced by true; None
        when the root holds a keyword that could also report errors inside a property."""
        properties = self.schema.get("properties") if isinstance(self.schema, dict) else None
        if not isinstance(properties, dict) or not set(self.schema) <= _SPLITTABLE_ROOT:
            return None
        stubbed = dict(self.schema, properties=dict.fromkeys(properties, True))
        return self.reference.evolve(schema=stubbed)

    def _by_property(self, instance: dict[str, Any], faulty: set[str]) -> Iterator[ValidationError]:
        assert self._root_only is not None
        for error in self._root_only.iter_errors(instance):
            if error.schema is self._root_only.schema:
                error.schema = self.schema  # the record's schema, as the reference names it
            yield error
        for name, subschema in self.schema["properties"].items():
            if name in faulty and name in instance:
                # What the reference's 'properties' keyword does for each property.
                yield from self.reference.descend(
                    instance[name], subschema, path=name, schema_path=name
                )


def _fast_validator(schema: dict[str, Any]) -> Any:
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - jsonschema-rs is a dependency; be robust anyway
        return None
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


@lru_cache(maxsize=8)
def compile_schema(path: str | None) -> RecordSchema:
    """Compile the record schema at ``path`` (bundled one when None), once per process."""
    if path is None:
        schema = read_bundled_schema(RECORD_SCHEMA)
        where = RECORD_SCHEMA
    else:
        where = path
        try:
            schema = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise ConfigError(f"schema {path}: cannot read: {error.strerror}") from None
        except ValueError as error:
            raise ConfigError(f"schema {path}: not valid JSON: {error}") from None
    if path is not None:  # the bundled schema is known good; a project's own is checked
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            raise ConfigError(f"schema {where}: not a valid JSON Schema: {error.message}") from None
        _refuse_external_refs(schema, where)  # before a validator could fetch what they name
    compiled = RecordSchema(schema)
    if path is not None:  # a project's schema that jsonschema-rs refuses fails at start-up
        _ = compiled.fast
    return compiled


_DATA_KEYWORDS = frozenset({"const", "default", "enum", "examples"})  # values, not schemas
# Keywords whose value maps names to schemas: a property may be called "enum" or "$ref".
_NAMED_SCHEMAS = frozenset(
    {"$defs", "definitions", "dependentSchemas", "patternProperties", "properties"}
)


def _external_refs(schema: Any) -> Iterator[str]:
    """The targets of $ref / $dynamicRef outside the schema's own resources (the file and
    the subschemas with an $id of their own): another file or a URL."""
    own: set[str] = {""}
    refs: list[str] = []
    # (node, base URI, whether node maps names to schemas)
    pending: list[tuple[Any, str, bool]] = [(schema, "", False)]
    while pending:  # a loop, not recursion: a deeply nested schema cannot overflow the stack
        node, base, named = pending.pop()
        if isinstance(node, list):
            pending.extend((value, base, False) for value in node)
            continue
        if not isinstance(node, dict):
            continue
        if named:
            pending.extend((value, base, False) for value in node.values())
            continue
        if isinstance(node.get("$id"), str):
            base = urljoin(base, node["$id"])
            own.add(urldefrag(base).url)
        refs.extend(
            urldefrag(urljoin(base, node[keyword])).url
            for keyword in ("$ref", "$dynamicRef")
            if isinstance(node.get(keyword), str)
        )
        pending.extend(
            (value, base, key in _NAMED_SCHEMAS)
            for key, value in node.items()
            if key not in _DATA_KEYWORDS
        )
    return (target for target in dict.fromkeys(refs) if target not in own)


def _refuse_external_refs(schema: Any, path: str) -> None:
    """A project schema must be one file: a resource it refers to is not part of the result
    cache's key (an edit to it would go unseen), and would be fetched while checking."""
    target = next(_external_refs(schema), None)
    if target is not None:
        raise ConfigError(
            f"schema {path}: $ref to {target}, outside this file, is not supported (the "
            "result cache could not see it change); move its definitions into this file's "
            "$defs and refer to them as #/$defs/NAME"
        )

"""The fast validity check (jsonschema-rs) must agree with the reference (jsonschema)."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from tests.helpers import CORPUS, SEEDS, fields
from validator.load import InputLimits
from validator.load.text import load_text
from validator.schema import RecordSchema, compile_schema

SCHEMA = compile_schema(None)

MUTATIONS: list[tuple[str, Any]] = [
    ("publishedDateTime", "2020-13-02T04:30:00Z"),
    ("publishedDateTime", "2020-10-02 04:30:00"),
    ("publishedDateTime", "2020-02-30T00:00:00Z"),
    ("publishedDateTime", "2020-10-02t04:30:00z"),
    ("originalUrl", "/relative/path"),
    ("originalUrl", "https://example.com/a b"),
    ("originalUrl", "mailto:desk@example.org"),
    ("quality", -1),
    ("quality", 1.5),
    ("quality", True),
    ("heat", "39"),
    ("published", "false"),
    ("topics", "AI"),
    ("topics", []),
    ("images", [{"width": 1}]),
    ("images", [{"url": "https://example.org/a.jpg", "width": "1"}]),
    ("provider", {"name": "x"}),
    ("provider", {"name": "x", "domain": "x.org", "extra": 1}),
    ("related", [{"title": "x"}]),
    ("related", [{"title": "x", "webUrl": "https://example.org/b", "quality": -3}]),
    ("secured", 12),
    ("title", ""),
    ("unknownField", "value"),
]


def listing(errors: Any) -> list[tuple[Any, ...]]:
    """Errors as schema/violation sees them: sorted by path, with what it reads of each."""
    return [
        (list(e.absolute_path), e.validator, e.validator_value, e.message, e.instance, e.schema)
        for e in sorted(errors, key=lambda e: list(e.path))
    ]


def lists_like_the_reference(data: Any, schema: RecordSchema = SCHEMA) -> bool:
    return listing(schema.iter_errors(data)) == listing(schema.reference.iter_errors(data))


def agree(data: dict[str, Any]) -> bool:
    assert SCHEMA.fast is not None, "jsonschema-rs is a dependency and must import"
    return bool(SCHEMA.fast.is_valid(data)) == SCHEMA.reference.is_valid(data)


@pytest.mark.parametrize(("key", "value"), MUTATIONS)
def test_fast_and_reference_agree_on_mutations(key: str, value: Any) -> None:
    data = fields(**{key: value})
    assert agree(data)
    fast_path = [error.message for error in SCHEMA.iter_errors(data)]
    assert fast_path == [error.message for error in SCHEMA.reference.iter_errors(data)]


def test_fast_and_reference_agree_on_random_field_removals() -> None:
    rng = random.Random(7)
    base = fields()
    for _ in range(300):
        data = copy.deepcopy(base)
        for key in rng.sample(sorted(data), rng.randint(0, 3)):
            del data[key]
        key, value = rng.choice(MUTATIONS)
        if rng.random() < 0.5:
            data[key] = value
        assert agree(data), data
        assert lists_like_the_reference(data), data


def test_errors_are_listed_like_the_reference_with_several_faults_at_once() -> None:
    rng = random.Random(11)
    for _ in range(200):
        data = fields()
        for key, value in rng.sample(MUTATIONS, rng.randint(1, 4)):
            data[key] = copy.deepcopy(value)
        for key in rng.sample(sorted(data), rng.randint(0, 2)):
            del data[key]
        assert lists_like_the_reference(data), data


def test_an_invalid_record_is_listed_property_by_property(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The reference walks only the properties jsonschema-rs found at fault, not the whole
    record (which costs ~15 times as much)."""
    schema = RecordSchema(SCHEMA.schema)
    walked: list[Any] = []
    validator_class = type(schema.reference)
    real_descend = validator_class.descend

    def descend(self: Any, *args: Any, **kw: Any) -> Any:
        subschema = args[1] if len(args) > 1 else kw.get("schema")
        if subschema is not True:  # true: the root keywords' stand-in for a property schema
            walked.append(kw.get("path"))
        return real_descend(self, *args, **kw)

    monkeypatch.setattr(validator_class, "descend", descend)
    data = fields(quality="high", images=[{"url": "https://example.org/a.jpg", "width": "1"}])
    del data["title"]
    errors = [(list(e.absolute_path), e.validator) for e in schema.iter_errors(data)]
    assert errors == [([], "required"), (["quality"], "type"), (["images", 0, "width"], "type")]
    assert {"quality", "images"} <= set(walked)
    assert not {"excerpt", "provider", "topics"} & set(walked), walked
    walked.clear()
    list(schema.reference.iter_errors(data))  # the whole walk, for contrast
    assert {"excerpt", "provider", "topics"} <= set(walked)


@pytest.mark.parametrize(
    "extra",
    [
        {"allOf": [{"required": ["title"]}]},
        {"patternProperties": {"^t": {"type": "string", "minLength": 3}}},
        {"if": {"required": ["title"]}, "then": {"required": ["excerpt"]}},
    ],
)
def test_a_schema_with_other_root_keywords_is_listed_whole(extra: dict[str, Any]) -> None:
    schema = RecordSchema({**SCHEMA.schema, **extra})
    data = fields(title="", quality="high", excerpt=None)
    assert schema._root_only is None
    assert list(schema.iter_errors(data))
    assert lists_like_the_reference(data, schema)


def test_a_record_that_is_not_a_mapping_is_listed_whole() -> None:
    for data in (["a list"], "text", 3, None):
        assert list(SCHEMA.iter_errors(data))
        assert lists_like_the_reference(data)


def test_valid_record_yields_no_errors() -> None:
    assert list(SCHEMA.iter_errors(fields())) == []


def test_fast_and_reference_agree_on_the_real_corpus() -> None:
    files = sorted(SEEDS.glob("*.txt"))
    if (CORPUS / "smartable").is_dir():
        files += sorted((CORPUS / "smartable").rglob("*.md"))
    checked = 0
    for path in files:
        record = load_text(path.read_text(encoding="utf-8"), str(path), InputLimits())
        if record.data is not None:
            assert agree(record.data), path
            assert lists_like_the_reference(record.data), path
            checked += 1
    assert checked >= 1

"""The fast validity check (jsonschema-rs) must agree with the reference (jsonschema)."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from tests.helpers import CORPUS, SEEDS, fields
from validator.load import InputLimits
from validator.load.text import load_text
from validator.schema import compile_schema

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
            checked += 1
    assert checked >= 1

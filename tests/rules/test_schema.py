"""schema/violation: the record against the bundled news-record JSON Schema."""

from __future__ import annotations

import json

import pytest

from tests.helpers import CORPUS, SEEDS, check_files, fields, findings_of, markdown
from validator.app import CheckOptions, check

SLUG = "schema/violation"


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def schema_run(tmp_path, data, name="a.md", config=""):
    text = markdown(data) if name.endswith(".md") else json.dumps(data, indent=2)
    run = check_files(tmp_path, {name: text}, select=[SLUG], config=config)
    return text, findings_of(run, SLUG)


def test_valid_record_passes(tmp_path):
    _, found = schema_run(tmp_path, fields())
    assert found == []


def test_valid_record_with_all_optional_fields_passes(tmp_path):
    item = {
        "title": "Related",
        "excerpt": "",
        "publishedDateTime": "2020-10-02T07:41:00Z",
        "webUrl": "https://www.rferl.org/a/1.html",
        "ampWebUrl": "https://www.rferl.org/amp/1.html",
        "cdnAmpWebUrl": "https://www-rferl-org.cdn.ampproject.org/c/s/www.rferl.org/amp/1.html",
        "type": "article",
        "provider": {"name": "RFE/RL", "domain": "rferl.org"},
        "quality": 22,
        "heat": 0,
        "images": [{"url": "https://www.rferl.org/a.jpg"}],
    }
    data = fields(featuredContent="<p>x</p>", related=[item], ampWebUrl="https://www.hrw.org/amp/a")
    _, found = schema_run(tmp_path, data)
    assert found == []


@pytest.mark.parametrize(
    "missing",
    [
        "category",
        "title",
        "excerpt",
        "publishedDateTime",
        "originalUrl",
        "type",
        "quality",
        "heat",
        "published",
        "provider",
        "topics",
        "secured",
    ],
)
def test_required_field_missing(tmp_path, missing):
    _, found = schema_run(tmp_path, fields(**{missing: None}))
    (finding,) = found
    assert finding.message == f"[required] missing field {missing!r}"
    assert finding.pointer == ""
    assert finding.line == 1


def test_required_field_missing_in_nested_object(tmp_path):
    text, found = schema_run(tmp_path, fields(provider={"name": "Human Rights Watch"}))
    (finding,) = found
    assert finding.message == "[required] missing field 'domain' in /provider"
    assert finding.pointer == "/provider"
    assert finding.line == line_of(text, "provider:")


@pytest.mark.parametrize(
    ("overrides", "pointer", "key", "message"),
    [
        ({"quality": "high"}, "/quality", "quality:", "[type] 'high' is not of type 'integer'"),
        ({"heat": 1.5}, "/heat", "heat:", "[type] 1.5 is not of type 'integer'"),
        ({"published": "yes"}, "/published", "published:", "[type] 'yes' is not of type 'boolean'"),
        ({"topics": "AI"}, "/topics", "topics:", "[type] 'AI' is not of type 'array'"),
        ({"quality": -1}, "/quality", "quality:", "[minimum] -1 is less than the minimum of 0"),
        ({"title": ""}, "/title", "title:", "[minLength]"),
        (
            {"publishedDateTime": "02/10/2020 4:30"},
            "/publishedDateTime",
            "publishedDateTime:",
            "[format] '02/10/2020 4:30' is not a 'date-time'",
        ),
        (
            {"publishedDateTime": "2020-10-02"},
            "/publishedDateTime",
            "publishedDateTime:",
            "[format]",
        ),
        (
            {"originalUrl": "not a url"},
            "/originalUrl",
            "originalUrl:",
            "[format] 'not a url' is not a 'uri'",
        ),
    ],
)
def test_wrong_value(tmp_path, overrides, pointer, key, message):
    text, found = schema_run(tmp_path, fields(**overrides))
    (finding,) = found
    assert finding.pointer == pointer
    assert finding.line == line_of(text, key)
    assert finding.message.startswith(message)


def test_quality_type_line_in_file(tmp_path):
    text, found = schema_run(tmp_path, fields(quality="high"))
    (finding,) = found
    assert text.split("\n")[finding.line - 1] == "quality: high"
    assert (finding.pointer, finding.column) == ("/quality", 1)


def test_image_width_string(tmp_path):
    images = [
        {"url": "https://www.hrw.org/a.jpg", "width": 1200, "height": 675},
        {"url": "https://www.hrw.org/b.jpg", "width": "1200px", "height": 675},
    ]
    text, found = schema_run(tmp_path, fields(images=images))
    (finding,) = found
    assert finding.pointer == "/images/1/width"
    assert finding.message == "[type] '1200px' is not of type 'integer'"
    assert text.split("\n")[finding.line - 1].strip() == "width: 1200px"

    _, found = schema_run(tmp_path, fields(images=[{**images[1], "width": "5385"}]))
    assert [f.pointer for f in found] == ["/images/0/width"]


def test_unknown_top_level_key(tmp_path):
    text, found = schema_run(tmp_path, fields(auther="Jane Doe"))
    (finding,) = found
    assert finding.message.startswith("[additionalProperties] unknown field 'auther'")
    assert "a typo, or a field the schema does not know" in finding.message
    assert finding.pointer == "/auther"
    assert text.split("\n")[finding.line - 1].startswith("auther:")


def test_unknown_nested_key(tmp_path):
    images = [{"url": "https://www.hrw.org/a.jpg", "width": 1, "height": 1, "alt": "x"}]
    text, found = schema_run(tmp_path, fields(images=images))
    (finding,) = found
    assert finding.pointer == "/images/0/alt"
    assert "unknown field 'alt'" in finding.message
    assert text.split("\n")[finding.line - 1].strip() == "alt: x"


def test_each_unknown_key_is_its_own_finding(tmp_path):
    _, found = schema_run(tmp_path, fields(auther="Jane Doe", tilte="Typo"))
    assert sorted(f.pointer for f in found) == ["/auther", "/tilte"]


def test_several_errors_are_reported_in_file_order(tmp_path):
    _, found = schema_run(tmp_path, fields(title=None, quality="high", heat="hot"))
    # Reported in file order: the record's first line, then quality (line 8), then heat.
    assert [(f.pointer, f.message.split("]")[0] + "]") for f in found] == [
        ("", "[required]"),
        ("/quality", "[type]"),
        ("/heat", "[type]"),
    ]
    assert found[0].line < found[1].line < found[2].line


def test_json_record_pointer_and_line(tmp_path):
    text, found = schema_run(tmp_path, {**fields(quality="high"), "body": "x"}, name="a.json")
    (finding,) = found
    assert finding.pointer == "/quality"
    assert finding.line == line_of(text, '"quality"')


def test_long_values_are_shortened(tmp_path):
    _, found = schema_run(tmp_path, fields(quality="h" * 500))
    (finding,) = found
    assert finding.message.startswith("[type] 'hhh")
    assert len(finding.message) <= len("[type] ") + 160
    assert finding.message.endswith("…")
    assert "h" * 500 not in finding.message


def test_custom_schema_from_config(tmp_path):
    schema = {"type": "object", "required": ["title"], "properties": {"title": {"type": "string"}}}
    (tmp_path / "mine.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    _, found = schema_run(
        tmp_path, {"title": 5, "anything": True}, config='schema = "mine.schema.json"\n'
    )
    assert [f.message for f in found] == ["[type] 5 is not of type 'string'"]


def test_seed_record_passes():
    run = check(CheckOptions(paths=[SEEDS / "000_00413085105cbbc0.txt"], select=[SLUG]))
    assert run.result.records == 1
    assert run.result.findings == []


CORPUS_DIRS = [CORPUS / "smartable" / "_news", CORPUS / "smartable" / "history" / "_news"]


@pytest.mark.skipif(
    not all(folder.is_dir() for folder in CORPUS_DIRS),
    reason=f"shared corpus not present at {CORPUS}",
)
def test_smartable_corpus_has_no_schema_violations():
    files = sorted(p for folder in CORPUS_DIRS for p in folder.iterdir() if p.is_file())
    records = [p for p in files if p.read_bytes().startswith(b"---")]
    not_records = [p.name for p in files if p not in records]
    # Only the empty placeholder lacks front matter; it is not a record.
    assert all(name.startswith(".keep@") for name in not_records)
    assert len(records) > 100

    run = check(CheckOptions(paths=records, select=[SLUG]))
    assert run.result.records == len(records)
    violations = [f"{f.path}:{f.line} {f.message}" for f in run.result.findings if f.rule == SLUG]
    assert violations == []

"""JSON and JSON-lines records: one object, arrays, lines, syntax errors and positions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import validator.load.json_ as json_loader
from tests.helpers import VALID_BODY, check_files, fields, findings_of, rules_fired
from validator.load import InputLimits, load_file

NO_DIMENSIONS = [{"url": "https://example.org/a.jpg"}]


def line_and_column(text: str, token: str, occurrence: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the ``occurrence``-th line holding ``token``."""
    seen = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if token in line:
            if seen == occurrence:
                return number, line.index(token) + 1
            seen += 1
    raise AssertionError(f"{token!r} not found")


def load(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path, name, InputLimits()).records


# --- single object ------------------------------------------------------------------------


def test_single_object_is_one_record_with_body(tmp_path: Path) -> None:
    [record] = load(tmp_path, "a.json", json.dumps(fields(body=VALID_BODY), indent=2))
    assert record.index == 0
    assert record.data == fields()
    assert record.body == VALID_BODY
    assert record.load_problems == {}


def test_single_object_clean_end_to_end(tmp_path: Path) -> None:
    run = check_files(tmp_path, {"a.json": json.dumps(fields(body=VALID_BODY), indent=2)})
    assert run.result.findings == []
    assert run.result.files[0].records == 1


def test_json_positions_match_the_file(tmp_path: Path) -> None:
    text = json.dumps(fields(body=VALID_BODY), indent=2)
    [record] = load(tmp_path, "a.json", text)
    assert (record.locate("/provider/domain").line, record.locate("/provider/domain").column) == (
        line_and_column(text, '"domain"')
    )
    assert (record.locate("/images/0/width").line, record.locate("/images/0/width").column) == (
        line_and_column(text, '"width"')
    )


def test_json_without_body_reports_body_missing_at_record(tmp_path: Path) -> None:
    run = check_files(tmp_path, {"a.json": json.dumps(fields(), indent=2)}, select=["body"])
    [finding] = run.result.findings
    assert finding.rule == "body/missing"
    assert finding.pointer == "/body"
    assert finding.line == 1


def test_json_body_must_be_a_string(tmp_path: Path) -> None:
    run = check_files(
        tmp_path, {"a.json": json.dumps(fields(body=["not", "text"]))}, select=["input"]
    )
    [finding] = run.result.findings
    assert finding.rule == "input/front-matter-not-mapping"
    assert "'body'" in finding.message


# --- arrays -------------------------------------------------------------------------------


def test_array_of_objects_gives_record_index_and_line(tmp_path: Path) -> None:
    records = [
        fields(body=VALID_BODY),
        fields(body=VALID_BODY, images=NO_DIMENSIONS),
        fields(body=VALID_BODY),
    ]
    text = json.dumps(records, indent=2)
    run = check_files(tmp_path, {"a.json": text}, select=["image/missing-dimensions"])
    assert run.result.files[0].records == 3
    found = run.result.findings
    assert {f.record for f in found} == {1}
    assert {f.message for f in found} == {"image has no width", "image has no height"}
    # The image without dimensions is the only image object whose next line is its url only.
    url_line, _ = line_and_column(text, '"url": "https://example.org/a.jpg"')
    assert {f.line for f in found} == {url_line - 1}
    assert {f.pointer for f in found} == {"/images/0"}


def test_array_records_are_indexed_in_order(tmp_path: Path) -> None:
    items = [fields(body=VALID_BODY, title=f"T{n}") for n in range(3)]
    records = load(tmp_path, "a.json", json.dumps(items, indent=2))
    assert [r.index for r in records] == [0, 1, 2]
    assert [r.data["title"] for r in records] == ["T0", "T1", "T2"]


def test_array_record_level_findings_on_the_record_line(tmp_path: Path) -> None:
    items = [fields(body=VALID_BODY), fields(body=VALID_BODY, title=None), fields()]
    text = "[\n" + ",\n".join(json.dumps(item) for item in items) + "\n]\n"
    records = load(tmp_path, "a.json", text)
    assert [r.line for r in records] == [2, 3, 4]
    run = check_files(tmp_path, {"b.json": text}, select=["schema", "body"])
    assert {(f.rule, f.record, f.line) for f in run.result.findings} == {
        ("schema/violation", 1, 3),
        ("body/missing", 2, 4),
    }


def test_array_item_that_is_not_an_object(tmp_path: Path) -> None:
    text = json.dumps([fields(body=VALID_BODY), 42])
    run = check_files(tmp_path, {"a.json": text}, select=["input"])
    [finding] = run.result.findings
    assert finding.rule == "input/front-matter-not-mapping"
    assert finding.record == 1
    assert "JSON number" in finding.message


def test_empty_array_is_reported(tmp_path: Path) -> None:
    run = check_files(tmp_path, {"a.json": "[]"})
    [finding] = run.result.findings
    assert finding.rule == "input/front-matter-not-mapping"
    assert run.result.files[0].path.endswith("a.json")


def test_json_syntax_error_line_and_column(tmp_path: Path) -> None:
    text = '{\n  "title": "A",\n  "excerpt": "B",,\n  "type": "article"\n}\n'
    run = check_files(tmp_path, {"a.json": text})
    [finding] = run.result.findings
    assert finding.rule == "input/json-syntax"
    assert (finding.line, finding.column) == (3, 18)
    assert run.result.files[0].status == "unreadable"


# --- JSON lines ---------------------------------------------------------------------------


def test_jsonl_broken_line_is_one_finding_and_other_lines_checked(tmp_path: Path) -> None:
    lines = [
        json.dumps(fields(body=VALID_BODY, images=NO_DIMENSIONS)),
        '{"title": "broken", ',
        json.dumps(fields(body=VALID_BODY)),
        json.dumps(fields(body=VALID_BODY, images=NO_DIMENSIONS)),
    ]
    run = check_files(tmp_path, {"a.jsonl": "\n".join(lines) + "\n"}, select=["input", "image"])
    syntax = findings_of(run, "input/json-syntax")
    assert len(syntax) == 1
    assert (syntax[0].line, syntax[0].record) == (2, 1)
    images = findings_of(run, "image/missing-dimensions")
    assert {(f.line, f.record) for f in images} == {(1, 0), (4, 3)}
    assert run.result.files[0].records == 4


def test_jsonl_blank_lines_keep_line_numbers(tmp_path: Path) -> None:
    text = (
        "\n"
        + json.dumps(fields(body=VALID_BODY))
        + "\n\n\n"
        + json.dumps(fields(images=NO_DIMENSIONS, body=VALID_BODY))
        + "\n"
    )
    run = check_files(tmp_path, {"a.ndjson": text}, select=["image"])
    assert {(f.line, f.record) for f in run.result.findings} == {(5, 1)}


def test_jsonl_crlf(tmp_path: Path) -> None:
    text = "\r\n".join(json.dumps(fields(body=VALID_BODY)) for _ in range(2)) + "\r\n"
    run = check_files(tmp_path, {"a.jsonl": text})
    assert run.result.findings == []
    assert run.result.files[0].records == 2


def test_jsonl_duplicate_key_on_its_line(tmp_path: Path) -> None:
    text = json.dumps(fields(body=VALID_BODY)) + '\n{"title": "a", "title": "b", "body": "x"}\n'
    run = check_files(tmp_path, {"a.jsonl": text}, select=["input"])
    [finding] = run.result.findings
    assert finding.rule == "input/duplicate-key"
    assert (finding.line, finding.record) == (2, 1)
    assert "'title'" in finding.message


def test_empty_jsonl_is_reported(tmp_path: Path) -> None:
    run = check_files(tmp_path, {"a.jsonl": "\n\n"})
    assert rules_fired(run) == {"input/front-matter-not-mapping"}


# --- duplicate keys in JSON ---------------------------------------------------------------


def test_json_duplicate_key_is_reported(tmp_path: Path) -> None:
    text = '{\n  "title": "a",\n  "excerpt": "b",\n  "title": "c"\n}\n'
    run = check_files(tmp_path, {"a.json": text}, select=["input"])
    [finding] = run.result.findings
    assert finding.rule == "input/duplicate-key"
    assert "'title'" in finding.message


def test_json_duplicate_key_reported_at_the_duplicate_line(tmp_path: Path) -> None:
    text = '{\n  "title": "a",\n  "excerpt": "b",\n  "title": "c"\n}\n'
    run = check_files(tmp_path, {"a.json": text}, select=["input"])
    [finding] = run.result.findings
    assert finding.line == 4


def test_json_duplicate_key_in_second_array_item_names_that_record(tmp_path: Path) -> None:
    text = '[\n{"title": "a"},\n{"title": "b",\n "title": "c"}\n]\n'
    run = check_files(tmp_path, {"a.json": text}, select=["input"])
    [finding] = run.result.findings
    assert finding.record == 1
    assert finding.line == 4


# --- positions robustness -----------------------------------------------------------------


def test_positions_survive_surrogate_pair_escapes(tmp_path: Path) -> None:
    text = json.dumps(
        fields(body=VALID_BODY, title="Launch \U0001f680", images=NO_DIMENSIONS), indent=2
    )
    assert "\\ud83d" in text
    run = check_files(tmp_path, {"a.json": text}, select=["image/missing-dimensions"])
    assert run.result.findings
    expected_line = line_and_column(text, '"url": "https://example.org/a.jpg"')[0] - 1
    assert {f.line for f in run.result.findings} == {expected_line}


def test_array_positions_parse_the_document_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = json_loader.load_yaml

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(json_loader, "load_yaml", counting)
    text = json.dumps([fields(body=VALID_BODY, images=NO_DIMENSIONS) for _ in range(5)], indent=2)
    run = check_files(tmp_path, {"a.json": text}, select=["image"])
    assert len(run.result.findings) == 10
    assert len(calls) <= 1


def test_json_body_with_one_boilerplate_line_is_not_only_boilerplate(tmp_path: Path) -> None:
    body = "Accessibility links\n\n" + VALID_BODY
    run = check_files(
        tmp_path,
        {
            "a.json": json.dumps(fields(body=body), indent=2),
            "b.jsonl": json.dumps(fields(body=body)) + "\n",
        },
        select=["boilerplate"],
    )
    assert len(findings_of(run, "boilerplate/phrase")) == 2  # the real chrome line, both files
    assert findings_of(run, "boilerplate/only-boilerplate") == []


def test_markdown_body_with_one_boilerplate_line_is_not_only_boilerplate(tmp_path: Path) -> None:
    from tests.helpers import markdown

    run = check_files(
        tmp_path,
        {"a.md": markdown(body="Accessibility links\n\n" + VALID_BODY)},
        select=["boilerplate"],
    )
    assert rules_fired(run) == {"boilerplate/phrase"}

"""Inputs that once slipped through the loaders: each test names the behaviour that must hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import check_files
from validator.load import InputLimits, load_file
from validator.load.fast_yaml import fast_load
from validator.load.yaml_tree import YamlLimits, YamlRefused, load_yaml

LIMITS = YamlLimits()


def reference_outcome(text: str) -> object:
    """The reference builder's value, or the slug it refuses the document with."""
    try:
        return load_yaml(text, 2, LIMITS).value
    except YamlRefused as refused:
        return refused.slug


def load_one(tmp_path: Path, name: str, data: bytes):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(data)
    (record,) = load_file(path, name, InputLimits()).records
    return record


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n\t\nb: 2\n",
        "a: 'x'\n\t\nb: 2\n",
        "a:\n\t\nb: 2\n",
        "a: 1\n\t# comment\nb: 2\n",
        "a: 1\n\t  \nb: 2\n",
        "\t\na: 1\n",
        "a: 1\nb: 2\n\t\n",
    ],
)
def test_a_blank_or_comment_line_indented_by_a_tab_takes_the_reference_path(text: str) -> None:
    """libyaml refuses a tab that starts a line in block context; yaml-rs does not. The fast
    path must step aside so that the record gets the reference's input/yaml-syntax finding
    instead of silently different values."""
    assert reference_outcome(text) == "input/yaml-syntax"
    assert fast_load(text, LIMITS) is None


def test_a_tab_indented_blank_line_in_front_matter_is_reported(tmp_path: Path) -> None:
    """The same through load_file: the finding names the line of the tab."""
    record = load_one(tmp_path, "a.md", b"---\ntitle: x\n\t\n---\nbody\n")
    (problem,) = record.load_problems["input/yaml-syntax"]
    assert problem.line == 3


@pytest.mark.parametrize(
    "text",
    [
        "a: x\x01\n",
        "a: x\x7f\n",
        "a: 'x\x1b'\n",
        'a: "x\x80"\n',
        "a: x\x9f\n",
        "a: x\ufffe\n",
        "a: x\uffff\n",
        "# \x07\na: 1\n",
    ],
)
def test_characters_yaml_forbids_take_the_reference_path(text: str) -> None:
    """YAML allows only printable characters; libyaml refuses control characters, yaml-rs
    reads them. A control character must give the reference's finding on the fast path too
    (it is invisible in an editor, and breaks YAML and XML consumers downstream)."""
    assert reference_outcome(text) == "input/yaml-syntax"
    assert fast_load(text, LIMITS) is None


@pytest.mark.parametrize(
    "text",
    ["a: _5\n", "a: __1_0\n", "a: _1.5\n", "_5: 1\n", "__7: x\n", "a:\n  - _12\n"],
)
def test_words_led_by_underscores_keep_the_reference_values(text: str) -> None:
    """yaml-rs drops underscores from numbers, so '_5' became the integer 5 (and a key '_5'
    the integer key 5) where YAML 1.1 and the reference read the text '_5'."""
    fast = fast_load(text, LIMITS)
    assert fast is None or fast == reference_outcome(text)


def one_record_a_line(records: list[object]) -> bytes:
    return ("[\n" + ",\n".join(json.dumps(record) for record in records) + "\n]\n").encode()


def test_records_of_a_large_json_array_keep_their_lines(tmp_path: Path) -> None:
    """A JSON file within limits.max-file-bytes may hold more values than the YAML node limit
    (which guards against alias expansion, impossible in JSON): its positions must still be
    read, or every finding of every record points at line 1."""
    records = [{"title": f"t{n}", "topics": list(range(50))} for n in range(2100)]
    path = tmp_path / "big.json"
    path.write_bytes(one_record_a_line(records))
    loaded = list(load_file(path, "big.json", InputLimits()).records)
    assert loaded[-1].line == len(records) + 1
    assert loaded[-1].locate("/topics/3").line == len(records) + 1


def test_json_nested_within_a_raised_depth_limit_keeps_its_positions(tmp_path: Path) -> None:
    """With limits.yaml.max-depth raised, JSON nested deeper than the default is read; its
    positions must be read within the same limit, not the default one."""
    nested: object = 1
    for _ in range(70):
        nested = {"k": nested}
    path = tmp_path / "deep.json"
    path.write_bytes(b'{\n"title": "t",\n"deep": ' + json.dumps(nested).encode() + b"\n}")
    limits = InputLimits(yaml=YamlLimits(max_depth=100))
    (record,) = load_file(path, "deep.json", limits).records
    assert not record.load_problems
    assert record.locate("/deep/k").line == 3


def test_a_json_string_holding_a_character_yaml_forbids_keeps_positions(tmp_path: Path) -> None:
    """JSON allows U+007F to U+009F and U+FFFE raw in strings; YAML does not, so the position
    pass (which reads the JSON as YAML) failed and every finding fell back to line 1."""
    path = tmp_path / "a.json"
    path.write_bytes('{\n"title": "a\x7fb\x85c\ufffe",\n"excerpt": 2\n}'.encode())
    (record,) = load_file(path, "a.json", InputLimits()).records
    assert record.data == {"title": "a\x7fb\x85c\ufffe", "excerpt": 2}
    assert record.locate("/excerpt").line == 3


@pytest.mark.parametrize("name", ["a.md", "a.jsonl"])
def test_an_invalid_utf8_byte_is_reported_at_its_character_column(
    tmp_path: Path, name: str
) -> None:
    """Columns count characters everywhere else (YAML, JSON, rules); counting bytes put the
    finding for a bad byte after 'é' or '€' one or more columns too far right."""
    data = '{"title": "Caf€é'.encode() + b"\xff" + b'"}\n'
    if name.endswith(".md"):
        data = b"---\n" + data.replace(b'{"title": ', b"title: ").rstrip(b"}\n") + b"\n---\n"
    record = load_one(tmp_path, name, data)
    (problem,) = record.load_problems["input/encoding"]
    line = 2 if name.endswith(".md") else 1
    expected = len('{"title": "Caf€é') + 1 if line == 1 else len('title: "Caf€é') + 1
    assert (problem.line, problem.column) == (line, expected)
    assert f"column {expected}" in problem.message


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("name", ["a.json", "a.jsonl"])
def test_nan_and_infinity_are_json_syntax_errors_at_their_place(
    tmp_path: Path, name: str, constant: str
) -> None:
    """Python's json reads NaN and Infinity, but they are not JSON: JSON.parse, jq and every
    strict reader refuse the file. They were read silently as floats; they must be reported
    where they stand (a string that merely says "NaN" is not)."""
    text = '{"title": "NaN and -Infinity", "quality": ' + constant + "}"
    data = (text if name.endswith(".jsonl") else text.replace(", ", ",\n")).encode()
    record = load_one(tmp_path, name, data)
    (problem,) = record.load_problems["input/json-syntax"]
    line = 1 if name.endswith(".jsonl") else 2
    assert (problem.line, problem.column) == (
        line,
        data.decode().split("\n")[line - 1].rindex(constant) + 1,
    )
    assert constant in problem.message


@pytest.mark.parametrize("max_nodes", range(2, 9))
@pytest.mark.parametrize("text", ["a: 1\nb: 2\n", "a:\n  b:\n    c: 1\n", "a:\n  - 1\n  - x: 2\n"])
def test_the_node_limit_counts_keys_on_the_fast_path_too(text: str, max_nodes: int) -> None:
    """The reference counts every key as a node; the fast path counted values only, so a
    document just over limits.yaml.max-nodes was read on the fast path and refused on the
    reference one."""
    limits = YamlLimits(max_nodes=max_nodes)
    fast = fast_load(text, limits)
    try:
        expected = load_yaml(text, 2, limits).value
    except YamlRefused:
        expected = None
    assert fast == expected


COMPOSED, DECOMPOSED = "caf\u00e9", "cafe\u0301"  # 'café' in NFC and in NFD


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        ("a.md", f"---\n{COMPOSED}: 1\n{DECOMPOSED}: 2\n---\n", 3),
        ("a.json", f'{{"{COMPOSED}": 1,\n"{DECOMPOSED}": 2}}', 2),
        ("a.jsonl", f'{{"{COMPOSED}": 1, "{DECOMPOSED}": 2}}\n', 1),
        ("k.md", "---\nK: 1\n\u212a: 2\n---\n", 3),  # KELVIN SIGN is 'K' once normalised
    ],
)
def test_keys_equal_once_unicode_normalised_are_duplicates(
    tmp_path: Path, name: str, data: str, line: int
) -> None:
    """Two keys that differ only in Unicode normalisation look identical in every editor and
    review tool, yet were two fields: a reader picks either. They must be reported as a
    duplicate key, on the second one's line."""
    record = load_one(tmp_path, name, data.encode())
    (problem,) = record.load_problems["input/duplicate-key"]
    assert problem.line == line


@pytest.mark.parametrize("data", [b"---", b"--- \t", b"\xef\xbb\xbf---"])
def test_a_file_that_is_only_an_opening_line_is_unterminated_front_matter(
    tmp_path: Path, data: bytes
) -> None:
    """A file holding just '---' (no line break after it) was read as body-only text with a
    finding claiming its first line is not '---'; it opens front matter that never closes."""
    record = load_one(tmp_path, "a.md", data)
    assert list(record.load_problems) == ["input/unterminated-front-matter"]


@pytest.mark.parametrize("digits", [100, 5000])
def test_a_huge_json_integer_is_a_limit_finding_at_its_place(tmp_path: Path, digits: int) -> None:
    """An integer past Python's digit limit gave a json-syntax finding at line 1 telling the
    user to call sys.set_int_max_str_digits(); like any integer too large for a news field, it
    must be a limits finding at the number's line and column, with no Python advice."""
    number = "9" * digits
    data = f'{{"title": "{number}",\n"quality": {number}}}'.encode()
    record = load_one(tmp_path, "a.json", data)
    (problem,) = record.load_problems["input/yaml-limits"]
    assert (problem.line, problem.column) == (2, len('"quality": ') + 1)
    assert "sys." not in problem.message


def test_different_complex_keys_are_not_duplicates() -> None:
    """A list or mapping used as a key was named when it started, still empty, so two
    different ones were both '[]': a false duplicate-key finding and a lost value. The key's
    text is taken once it is complete."""
    document = load_yaml("? [a]\n: 1\n? [b]\n: 2\n? [a]\n: 3\n", 2, LIMITS)
    assert document.value == {"['a']": 3, "['b']": 2}
    duplicates = [p for slug, p in document.problems if slug == "input/duplicate-key"]
    assert [p.line for p in duplicates] == [6]  # only the second [a]


def test_a_byte_order_mark_inside_a_json_lines_file_gets_advice_for_the_user(
    tmp_path: Path,
) -> None:
    """JSON lines files concatenated from files saved with a BOM have one at the start of
    later lines; Python's message ('decode using utf-8-sig') is advice for a programmer, not
    for the author of the file."""
    data = b'{"a": 1}\n\xef\xbb\xbf{"b": 2}\n'
    path = tmp_path / "a.jsonl"
    path.write_bytes(data)
    records = list(load_file(path, "a.jsonl", InputLimits()).records)
    (problem,) = records[1].load_problems["input/json-syntax"]
    assert (problem.line, problem.column) == (2, 1)
    assert "utf-8-sig" not in problem.message and "byte-order mark" in problem.message


def test_findings_of_a_json_array_element_point_at_that_element(tmp_path: Path) -> None:
    """A body that is not a string, or an element that is not an object, was reported at
    line 1 of a JSON array (the line a record has before its own is known): the finding
    must point at the 'body' key, and at the element."""
    text = '[\n{"title": "a"},\n{"title": "b",\n "body": 5},\n7\n]'
    run = check_files(tmp_path, {"a.json": text}, select=["input"], use_cache=False)
    lines = sorted(
        f.line for f in run.result.findings if f.rule == "input/front-matter-not-mapping"
    )
    assert lines == [4, 5]


@pytest.mark.parametrize(
    ("value", "kind"),
    [("null", "null"), ('"x"', "string"), ("1.5", "number"), ("true", "boolean"), ("[]", "array")],
)
def test_a_record_that_is_not_an_object_is_named_in_json_terms(
    tmp_path: Path, value: str, kind: str
) -> None:
    """The finding named Python types ('a JSON NoneType', 'a JSON list'); the author wrote
    JSON and must read its words: null, string, number, boolean, array."""
    records = list(load_file(_write(tmp_path, "a.jsonl", value), "a.jsonl", InputLimits()).records)
    (problem,) = records[0].load_problems["input/front-matter-not-mapping"]
    assert problem.message == f"record is a JSON {kind}, not an object"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_lone_surrogate_escape_is_reported_on_its_record_and_line(tmp_path: Path) -> None:
    """A lone \\uD800 escape in the third record of a JSON array was reported on the first
    record at line 1; it must be on the record that holds it, at the escape."""
    text = '[\n{"title": "a \\ud83d\\ude00"},\n{"title": "b"},\n{"title": "c \\ud800"}\n]'
    records = list(load_file(_write(tmp_path, "a.json", text), "a.json", InputLimits()).records)
    assert [bool(r.load_problems) for r in records] == [False, False, True]
    (problem,) = records[2].load_problems["input/encoding"]
    assert (problem.line, problem.column) == (4, len('{"title": "c ') + 1)


def test_a_json_number_too_large_for_a_float_is_reported(tmp_path: Path) -> None:
    """1e400 is valid JSON syntax but Python reads it as infinity, silently: the record would
    hold a value JSON cannot even write back. It is a limits finding at the number."""
    text = '{"title": "1e400",\n"quality": -1.5e400}'
    (record,) = load_file(_write(tmp_path, "a.json", text), "a.json", InputLimits()).records
    (problem,) = record.load_problems["input/yaml-limits"]
    assert (problem.line, problem.column) == (2, len('"quality": ') + 1)
    assert "-1.5e400" in problem.message


def test_a_yaml_float_too_large_is_kept_as_text_and_reported() -> None:
    """'1.0e+400' is a YAML 1.1 float that Python reads as infinity, silently; like '!!int
    abc', a value that cannot be read as its type is kept as text with a finding ('.inf',
    written as infinity on purpose, stays infinity)."""
    document = load_yaml("a: 1.0e+400\nb: .inf\n", 2, LIMITS)
    assert document.value == {"a": "1.0e+400", "b": float("inf")}
    assert [(slug, p.line) for slug, p in document.problems] == [("input/yaml-tag", 2)]

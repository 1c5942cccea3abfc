"""Front-matter text records: BOM, CRLF, positions, body lines and malformed front matter."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import VALID_BODY, check_files, fields, findings_of, markdown, rules_fired
from validator.load import InputLimits, load_file
from validator.load.text import _CLOSING, _find_closing, load_text


def line_and_column(text: str, line_prefix: str, token: str) -> tuple[int, int]:
    """1-based (line, column) of ``token`` on the first line that starts with ``line_prefix``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(line_prefix):
            return number, line.index(token) + 1
    raise AssertionError(f"no line starts with {line_prefix!r}")


def closing_line(text: str) -> int:
    lines = text.splitlines()
    return lines.index("---", 1) + 1


def load(tmp_path: Path, content: str | bytes, name: str = "a.md"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    loaded = load_file(path, name, InputLimits())
    assert len(loaded.records) == 1
    return loaded.records[0]


# --- BOM and CRLF -----------------------------------------------------------------------


def test_utf8_bom_front_matter_parses_with_correct_lines(tmp_path: Path) -> None:
    text = markdown()
    record = load(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert record.load_problems == {}
    assert record.data == fields()
    assert record.locate("/category").line == 2
    assert record.locate("/category").column == 1
    assert record.locate("/title").line == 3
    assert record.body == VALID_BODY
    assert record.body_line == closing_line(text) + 1


def test_utf8_bom_record_is_clean_end_to_end(tmp_path: Path) -> None:
    run = check_files(tmp_path, {"a.md": b"\xef\xbb\xbf" + markdown().encode("utf-8")})
    assert run.result.findings == []
    assert [f.status for f in run.result.files] == ["clean"]


def test_crlf_front_matter_parses_with_correct_lines(tmp_path: Path) -> None:
    text = markdown()
    crlf = text.replace("\n", "\r\n")
    record = load(tmp_path, crlf.encode("utf-8"))
    assert record.load_problems == {}
    assert record.data == fields()
    expected = line_and_column(text, "  domain:", "domain")
    position = record.locate("/provider/domain")
    assert (position.line, position.column) == expected
    assert record.body_line == closing_line(text) + 1
    body_lines = list(record.iter_body_lines())
    assert body_lines[0] == (closing_line(text) + 1, VALID_BODY.rstrip("\n"))
    assert all("\r" not in line for _, line in body_lines)


def test_crlf_values_carry_no_carriage_return(tmp_path: Path) -> None:
    record = load(tmp_path, markdown().replace("\n", "\r\n").encode("utf-8"))
    assert record.data is not None
    assert record.data["title"] == fields()["title"]
    assert record.data["topics"] == ["Computer Vision", "AI"]


def test_crlf_empty_body_reported_on_line_after_closing(tmp_path: Path) -> None:
    text = markdown(body="\n\n")
    run = check_files(
        tmp_path, {"a.md": text.replace("\n", "\r\n").encode("utf-8")}, select=["body"]
    )
    [finding] = findings_of(run, "body/missing")
    assert finding.line == closing_line(text) + 1


def test_bom_and_crlf_together(tmp_path: Path) -> None:
    text = markdown()
    record = load(tmp_path, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert record.load_problems == {}
    assert record.data == fields()
    assert record.locate("/title").line == 3


# --- body lines ---------------------------------------------------------------------------


def test_body_starts_on_the_line_after_the_closing_marker(tmp_path: Path) -> None:
    text = markdown(body="First line.\nSecond line.\n\nFourth line.\n")
    record = load(tmp_path, text)
    close = closing_line(text)
    assert list(record.iter_body_lines())[:4] == [
        (close + 1, "First line."),
        (close + 2, "Second line."),
        (close + 3, ""),
        (close + 4, "Fourth line."),
    ]


def test_body_rule_finding_uses_file_line(tmp_path: Path) -> None:
    body = "Intro paragraph of the article.\n\nA caption line\nA caption line\n\n" + VALID_BODY
    text = markdown(body=body)
    run = check_files(tmp_path, {"a.md": text}, select=["boilerplate/repeated-caption"])
    [finding] = run.result.findings
    assert finding.line == closing_line(text) + 4
    assert text.splitlines()[finding.line - 1] == "A caption line"


def test_body_line_numbers_with_dot_closing_marker(tmp_path: Path) -> None:
    text = "---\ntitle: A\n...\nBody here.\n"
    record = load(tmp_path, text)
    assert record.data == {"title": "A"}
    assert next(record.iter_body_lines()) == (4, "Body here.")


# --- positions ----------------------------------------------------------------------------


def test_nested_positions_match_the_file(tmp_path: Path) -> None:
    text = markdown()
    record = load(tmp_path, text)
    width = record.locate("/images/0/width")
    assert (width.line, width.column) == line_and_column(text, "  width:", "width")
    domain = record.locate("/provider/domain")
    assert (domain.line, domain.column) == line_and_column(text, "  domain:", "domain")
    topic = record.locate("/topics/1")
    assert (topic.line, topic.column) == line_and_column(text, "- AI", "AI")


def test_positions_of_a_hand_written_record(tmp_path: Path) -> None:
    text = (
        "---\n"
        "title: T\n"
        "\n"
        "provider:\n"
        "    name: HRW\n"
        "    domain: hrw.org\n"
        "images:\n"
        "  - url: https://example.org/a.jpg\n"
        "    height: 3\n"
        "    width: 4\n"
        "---\n"
        "Body\n"
    )
    record = load(tmp_path, text)
    assert (record.locate("/provider/domain").line, record.locate("/provider/domain").column) == (
        6,
        5,
    )
    assert (record.locate("/images/0/width").line, record.locate("/images/0/width").column) == (
        10,
        5,
    )
    assert record.locate("/images/0/url").line == 8
    # A pointer without its own position falls back to its nearest ancestor.
    assert record.locate("/provider/nothing").line == 4


def test_finding_pointer_placed_on_offending_key(tmp_path: Path) -> None:
    images = [{"url": "https://example.org/a.jpg", "width": 0, "height": 300}]
    text = markdown(fields(images=images))
    run = check_files(tmp_path, {"a.md": text}, select=["image/missing-dimensions"])
    [finding] = run.result.findings
    assert finding.pointer == "/images/0/width"
    assert (finding.line, finding.column) == line_and_column(text, "  width: 0", "width")


def test_unquoted_timestamp_stays_the_text_written(tmp_path: Path) -> None:
    text = (
        "---\n"
        "publishedDateTime: 2020-10-02T04:30:00Z\n"
        "date: 2020-10-02\n"
        "related:\n"
        "  - publishedDateTime: 2020-10-02T07:41:00.5+02:00\n"
        "---\n"
        "Body\n"
    )
    record = load(tmp_path, text)
    assert record.data is not None
    assert type(record.data["publishedDateTime"]) is str
    assert record.data["publishedDateTime"] == "2020-10-02T04:30:00Z"
    assert record.data["date"] == "2020-10-02"
    assert record.data["related"][0]["publishedDateTime"] == "2020-10-02T07:41:00.5+02:00"


def test_scalar_types_are_resolved(tmp_path: Path) -> None:
    record = load(tmp_path, "---\nquality: 39\npublished: false\nratio: 1.5\nnone: null\n---\nB\n")
    assert record.data == {"quality": 39, "published": False, "ratio": 1.5, "none": None}
    assert type(record.data["quality"]) is int


# --- malformed front matter ---------------------------------------------------------------


def test_duplicate_key_reported_at_the_duplicate(tmp_path: Path) -> None:
    text = "---\ntitle: First\nexcerpt: x\ntitle: Second\n---\nBody\n"
    run = check_files(tmp_path, {"a.md": text}, select=["input"])
    [finding] = run.result.findings
    assert finding.rule == "input/duplicate-key"
    assert finding.code == "IN007"
    assert finding.line == 4
    assert finding.column == 1
    assert finding.pointer == "/title"
    assert "'title'" in finding.message and "line 2" in finding.message


def test_nested_duplicate_key(tmp_path: Path) -> None:
    text = "---\nprovider:\n  name: A\n  domain: a.org\n  name: B\n---\nBody\n"
    run = check_files(tmp_path, {"a.md": text}, select=["input/duplicate-key"])
    [finding] = run.result.findings
    assert (finding.line, finding.column, finding.pointer) == (5, 3, "/provider/name")


def test_yaml_syntax_error_reports_yaml_line(tmp_path: Path) -> None:
    front = "title: a\nexcerpt: b\n  bad: value\ntype: article\n"
    with_error = None
    try:
        yaml.safe_load(front)
    except yaml.MarkedYAMLError as error:
        with_error = error
    assert with_error is not None and with_error.problem_mark is not None
    text = f"---\n{front}---\nBody\n"
    run = check_files(tmp_path, {"a.md": text}, select=["input"])
    [finding] = run.result.findings
    assert finding.rule == "input/yaml-syntax"
    assert finding.line == with_error.problem_mark.line + 2  # front matter starts on line 2
    assert finding.line == 4
    assert finding.column == with_error.problem_mark.column + 1
    assert finding.message.startswith("YAML syntax error")


def test_yaml_syntax_error_keeps_body_rules_running(tmp_path: Path) -> None:
    text = "---\ntitle: [unclosed\n---\n\n"
    run = check_files(tmp_path, {"a.md": text}, select=["input", "body"])
    assert rules_fired(run) == {"input/yaml-syntax", "body/missing"}


def test_unterminated_front_matter(tmp_path: Path) -> None:
    text = "---\ntitle: A title\nexcerpt: b\nThe body starts here.\n"
    run = check_files(tmp_path, {"a.md": text})
    [finding] = run.result.findings
    assert finding.rule == "input/unterminated-front-matter"
    assert finding.line == 1
    assert run.result.files[0].status == "unreadable"
    assert run.exit_code == 1


def test_front_matter_that_is_a_list(tmp_path: Path) -> None:
    run = check_files(tmp_path, {"a.md": "---\n- title\n- excerpt\n---\n" + VALID_BODY})
    assert rules_fired(run) == {"input/front-matter-not-mapping"}
    [finding] = run.result.findings
    assert finding.line == 2
    assert "a list" in finding.message


def test_front_matter_that_is_a_scalar(tmp_path: Path) -> None:
    run = check_files(tmp_path, {"a.md": "---\njust text\n---\n" + VALID_BODY})
    [finding] = run.result.findings
    assert finding.rule == "input/front-matter-not-mapping"
    assert "single value" in finding.message


def test_empty_front_matter(tmp_path: Path) -> None:
    run = check_files(tmp_path, {"a.md": "---\n---\n" + VALID_BODY})
    [finding] = run.result.findings
    assert finding.rule == "input/front-matter-not-mapping"
    assert "empty" in finding.message


def test_no_front_matter_is_body_only_and_body_rules_run(tmp_path: Path) -> None:
    text = "Accessibility links\n\nA short scraped teaser.\n"
    run = check_files(tmp_path, {"a.txt": text})
    fired = rules_fired(run)
    assert "input/no-front-matter" in fired
    assert "boilerplate/phrase" in fired
    assert "body/too-short" in fired
    assert not any(rule.startswith("schema/") for rule in fired)  # no fields to check
    [no_front] = findings_of(run, "input/no-front-matter")
    assert (no_front.line, no_front.severity.value) == (1, "warning")
    [phrase] = findings_of(run, "boilerplate/phrase")
    assert phrase.line == 1
    [short] = findings_of(run, "body/too-short")
    assert short.line == 1


def test_no_front_matter_body_lines_start_at_line_one(tmp_path: Path) -> None:
    record = load(tmp_path, "one\ntwo\nthree\n", name="a.txt")
    assert record.data is None
    assert list(record.iter_body_lines())[:3] == [(1, "one"), (2, "two"), (3, "three")]
    assert "input/no-front-matter" in record.load_problems


def test_load_text_directly_reports_front_matter_limit() -> None:
    record = load_text(
        "---\ntitle: " + "x" * 200 + "\n---\nBody\n",
        "a.md",
        InputLimits(max_front_matter_bytes=100),
    )
    [problem] = record.load_problems["input/too-large"]
    assert problem.line == 2
    assert record.data is None
    assert record.body == "Body\n"


@settings(max_examples=400)
@given(st.lists(st.sampled_from(["---", "...", "--- ", "----", "-- -", "a: 1", "", "\r", "x---"])))
def test_find_closing_is_the_multiline_search(lines):
    text = "---\n" + "\n".join(lines)
    expected = _CLOSING.search(text, 4)
    found = _find_closing(text, 4)
    assert (found and found.span()) == (expected and expected.span())

"""body/: missing, too short, and bodies that only repeat the summary."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.body import _WORD, at_least_words
from tests.helpers import VALID_BODY, VALID_FIELDS, check_files, fields, findings_of, markdown

TITLE = VALID_FIELDS["title"]
EXCERPT = VALID_FIELDS["excerpt"]
SHORT = "Read more on our website."


def closing_line(text: str) -> int:
    """File line of the front matter's closing '---'."""
    return text.split("\n").index("---", 1) + 1


# --- body/missing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fires"),
    [
        ("", True),
        ("\n", True),
        ("   \n\t\n  \n", True),
        (VALID_BODY, False),
        ("One word.\n", False),  # short, but present: body/too-short's business
    ],
)
def test_missing_markdown(tmp_path, body, fires):
    text = markdown(body=body)
    run = check_files(tmp_path, {"a.md": text}, select=["body/missing"])
    found = findings_of(run, "body/missing")
    if not fires:
        assert found == []
        return
    assert len(found) == 1
    assert found[0].line == closing_line(text) + 1
    assert "body is empty" in found[0].message
    assert found[0].code == "BD001"


def test_missing_json_without_body_field(tmp_path):
    record = json.dumps(fields(), indent=2)
    run = check_files(tmp_path, {"a.json": record}, select=["body/missing"])
    (found,) = findings_of(run, "body/missing")
    assert found.pointer == "/body"
    assert "no 'body' field" in found.message


def test_missing_json_with_body_passes(tmp_path):
    record = json.dumps({**fields(), "body": VALID_BODY}, indent=2)
    run = check_files(tmp_path, {"a.json": record}, select=["body/missing"])
    assert findings_of(run, "body/missing") == []


def test_missing_json_blank_body_is_located_at_the_body_key(tmp_path):
    record = json.dumps({**fields(), "body": "  "}, indent=2)
    body_line = next(n for n, line in enumerate(record.split("\n"), 1) if '"body"' in line)
    run = check_files(tmp_path, {"a.json": record}, select=["body/missing"])
    (found,) = findings_of(run, "body/missing")
    assert found.line == body_line
    assert "body is empty" in found.message


# --- body/too-short ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "config", "expected"),
    [
        (SHORT, "", "body has 5 words, fewer than 50"),
        ("Breaking.", "", "body has 1 word, fewer than 50"),
        (VALID_BODY, "", None),
        (SHORT, '[rules."body/too-short"]\nmin-words = 5\n', None),
        (SHORT, '[rules."body/too-short"]\nmin-words = 6\n', "body has 5 words, fewer than 6"),
        (VALID_BODY, '[rules."body/too-short"]\nmin-words = 500\n', "fewer than 500"),
        ("", "", None),  # empty: reported by body/missing only
    ],
)
def test_too_short(tmp_path, body, config, expected):
    text = markdown(body=body)
    run = check_files(tmp_path, {"a.md": text}, select=["body/too-short"], config=config)
    found = findings_of(run, "body/too-short")
    if expected is None:
        assert found == []
        return
    assert len(found) == 1
    assert expected in found[0].message
    assert found[0].line == closing_line(text) + 1


def test_too_short_counts_words_across_lines(tmp_path):
    body = "\n".join(["word"] * 49) + "\n"
    run = check_files(tmp_path, {"a.md": markdown(body=body)}, select=["body/too-short"])
    (found,) = findings_of(run, "body/too-short")
    assert "49 words" in found.message
    body = "\n".join(["word"] * 50) + "\n"
    run = check_files(tmp_path, {"a.md": markdown(body=body)}, select=["body/too-short"])
    assert findings_of(run, "body/too-short") == []


# --- body/repeats-summary ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (EXCERPT + "\n", "repeats the excerpt"),
        (EXCERPT.upper().replace(".", "!!") + "\n", "repeats the excerpt"),
        ("  " + EXCERPT.replace(" ", "\n") + "\n", "repeats the excerpt"),
        (TITLE + "\n", "repeats the title"),
        (f"# {TITLE}\n\n{EXCERPT}\n", "repeats the title and excerpt"),
        (VALID_BODY, None),
        (EXCERPT + " More text follows here.\n", None),
        (f"{EXCERPT}\n\n{TITLE}\n", None),  # the other order is not the summary
    ],
)
def test_repeats_summary(tmp_path, body, expected):
    text = markdown(body=body)
    run = check_files(tmp_path, {"a.md": text}, select=["body/repeats-summary"])
    found = findings_of(run, "body/repeats-summary")
    if expected is None:
        assert found == []
        return
    assert len(found) == 1
    assert f"body only {expected}" in found[0].message
    assert found[0].line == closing_line(text) + 1


def test_repeats_summary_needs_fields(tmp_path):
    # A body-only record has no excerpt or title to compare with.
    run = check_files(tmp_path, {"a.txt": EXCERPT + "\n"}, select=["body/repeats-summary"])
    assert findings_of(run, "body/repeats-summary") == []


@settings(max_examples=500)
@given(st.text(st.sampled_from("ab1_ \n.,é—\u00a0\u0663"), max_size=30), st.integers(1, 6))
def test_at_least_words_agrees_with_counting_words(text, count):
    assert bool(at_least_words(count).match(text)) == (len(_WORD.findall(text)) >= count)

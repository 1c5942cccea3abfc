"""The yaml-rs fast path must give exactly the reference builder's values, or step aside."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import CORPUS, SEEDS, fields, markdown
from validator.load.fast_yaml import (
    _LINE,
    _PLAIN_TEXT_LINE_RE,
    MAX_LINE_CHARS,
    fast_load,
    line_re,
    lines_fit,
)
from validator.load.yaml_tree import YamlLimits, YamlRefused, load_yaml

LIMITS = YamlLimits()


def front_matter(text: str) -> str:
    return text[4 : text.index("\n---", 4) + 1]


def reference(text: str) -> object:
    return load_yaml(text, 2, LIMITS).value


@pytest.mark.parametrize(
    "text",
    [
        "a: yes\n",  # YAML 1.1 boolean, a string in 1.2
        "a: yes\nb: 1\n",
        "a: 1\nb: off  # comment\nc: 2\n",
        "list:\n  - n\n  - x\n",
        "a: No\n",
        "a: on\n",
        "a: 012\n",  # octal in 1.1
        "a: 1e3\n",  # a string in 1.1, a float in 1.2
        "a: 1:20\n",  # sexagesimal in 1.1
        "a: 0o17\n",
        "a: 1_000\n",
        "a: .inf\n",
        "a: &x 1\nb: *x\n",
        "base: &b {x: 1}\nd:\n  <<: *b\n",
        "a: !!str 1\n",
        "a: [1, 2]\n",
        "a: {b: 1}\n",
        "a: |\n  block\n",
        "a: >\n  folded\n",
        "a: 1\na: 2\n",
        "yes: 1\n",
        'a: "\\x41"\n',
        "a: b\u2028c\n",
        "\ta: 1\n",
        "a: 123456789012345678901234567890\n",
        "a: [\n",
    ],
)
def test_risky_documents_take_the_reference_path(text: str) -> None:
    assert fast_load(text, LIMITS) is None


@pytest.mark.parametrize(
    "text",
    [
        "a: 2020-10-02T04:30:00Z\n",
        "a: true\nb: False\nc: null\nd: ~\ne:\n",
        "a: 39\nb: -0\nc: 1.5\n",
        "a: \"quoted: text # not a comment\"\nb: 'it''s'\n",
        "a: plain text with C# and 100% & stars *\n",
        "list:\n  - one\n  - two words\n  - key: value\n    other: 2\n",
        "a: text # a comment\n",
        'a: "\\u00e9t\\u00e9 \\"quoted\\" \\\\ \\/"\n',
    ],
)
def test_plain_documents_take_the_fast_path_with_identical_values(text: str) -> None:
    value = fast_load(text, LIMITS)
    assert value is not None
    assert value == reference(text)


def test_depth_and_size_limits_hold_on_the_fast_path() -> None:
    deep = "".join(" " * (2 * n) + f"k{n}:\n" for n in range(70)) + " " * 140 + "x: 1\n"
    assert fast_load(deep, LIMITS) is None
    with pytest.raises(YamlRefused):
        load_yaml(deep, 2, LIMITS)


def test_real_records_agree() -> None:
    paths = sorted(SEEDS.glob("000_*")) + (
        sorted((CORPUS / "smartable").rglob("*.md")) if (CORPUS / "smartable").is_dir() else []
    )
    fast = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---\n"):
            continue
        front = front_matter(text)
        value = fast_load(front, LIMITS)
        if value is not None:
            fast += 1
            assert value == reference(front), path
    assert fast >= 1


def test_generated_record_agrees_and_positions_are_lazy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import check_files

    text = markdown(fields(quality="high"))
    assert fast_load(front_matter(text), LIMITS) == reference(front_matter(text))
    run = check_files(tmp_path, {"a.md": text}, select=["schema"])
    (finding,) = run.result.findings
    assert text.split("\n")[finding.line - 1] == "quality: high"


SCALARS = [
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "true",
    "False",
    "null",
    "~",
    "",
    "0",
    "-0",
    "012",
    "0o17",
    "0x1F",
    "1_000",
    "1e3",
    "1.5",
    "-2.25",
    ".5",
    "1.",
    "1:20",
    ".inf",
    "-.inf",
    ".nan",
    "2020-10-02",
    "2020-10-02T04:30:00Z",
    "2020-10-02 04:30:00",
    "12345678901234567890",
    "text",
    "C# and more",
    "a:b",
    "http://x.org/a?b=1#c",
    "it's",
    "x #y",
    "=",
    "<<",
    "&a",
    "*a",
    "!t",
    "|",
    ">",
    "[1]",
    "{a: 1}",
    '"quoted"',
    '"esc \\x41"',
    '"esc \\u00e9"',
    "'single ''q'''",
    "%percent",
    "@at",
    "`tick",
    "Ünïcode",
    "über alles",
    "-dash",
    "- item",
    "? q",
    "a\u2028b",
]


def test_random_documents_agree_whenever_the_fast_path_is_taken() -> None:
    import random

    rng = random.Random(20261121)
    taken = 0
    for _ in range(4000):
        lines = []
        for n in range(rng.randint(1, 6)):
            key = rng.choice(["title", "yes", "on", "n", "k" + str(n), "quality", "2020", "a-b"])
            shape = rng.random()
            if shape < 0.6:
                lines.append(f"{key}{n}: {rng.choice(SCALARS)}")
            elif shape < 0.8:
                lines.append(f"{key}{n}:")
                lines += [f"  - {rng.choice(SCALARS)}" for _ in range(rng.randint(1, 3))]
            else:
                lines.append(f"{key}{n}:")
                lines += [f"  sub{m}: {rng.choice(SCALARS)}" for m in range(rng.randint(1, 3))]
        text = "\n".join(lines) + "\n"
        value = fast_load(text, LIMITS)
        if value is None:
            continue
        taken += 1
        try:
            expected = reference(text)
        except YamlRefused as refused:
            raise AssertionError(
                f"fast path took a document the reference refuses: {text!r}"
            ) from refused
        assert value == expected, text
    assert taken > 150  # the generator must exercise the fast path, not only the fallback


def test_a_broken_line_deep_in_the_document_is_rejected_without_backtracking() -> None:
    """The gate matches line by line: a fuzzed record (several copies of a real front matter
    and then one broken key) made a whole-document pattern backtrack for minutes."""
    from validator.timelimit import time_limit

    seed = (SEEDS / "000_00413085105cbbc0.txt").read_text(encoding="utf-8")
    broken = front_matter(seed) * 8 + "    quality\ufffd\ufffd: 22\n"
    with time_limit(5):
        assert fast_load(broken, LIMITS) is None


def lines_fit_one_by_one(text: str) -> bool:
    """lines_fit as first written: a loop over the lines."""
    for line in text.split("\n"):
        if len(line) > MAX_LINE_CHARS or not line_re().fullmatch(line.rstrip("\r")):
            return False
    return True


GATE_LINES = ["a: 1", "b: yes", "  - x", "c: 'q'", "# c", "", "\r", "d: x\r\r", "e: [1]", "f: :"]
GATE_LINES += ["g: " + "x" * MAX_LINE_CHARS, "h: " + "y" * (MAX_LINE_CHARS - 3), "\t"]
GATE_LINES += ["i: " + "z" * (MAX_LINE_CHARS - 3) + "\r"]  # too long only with its CR
GATE_LINES += ['j: "a\\"b"', 'k: "x\x85"', 'l: "\u2028"', "m: a\u2029b", "n: 'é'"]


@settings(max_examples=400)
@given(
    st.lists(
        st.sampled_from(GATE_LINES),
        max_size=8,
    )
)
def test_lines_fit_matches_a_line_by_line_check(lines):
    text = "\n".join(lines)
    assert lines_fit(text) == lines_fit_one_by_one(text)


# The gate's alternatives in the order first written: a full match does not depend on it.
BLANK = r" *(?:#.*)?"
assert _LINE.startswith("(?:") and _LINE.endswith(f"|{BLANK})")
FIRST_ORDER = re.compile(f"(?:{BLANK}|{_LINE[3 : -len(BLANK) - 2]})")
LINE_PIECES = ["", " ", "  ", "\t", "- ", "-", "a", "on", "Yes", "key", ":", ": ", "#", " #", "x"]
LINE_PIECES += ['"q"', '"a\\"b"', "'s'", "''", "1", "-5", "012", "1.5", "2020-01-02", "~", "null"]
LINE_PIECES += ["true", "no", "[1]", "{", "&a", "*a", "!t", "|", ">", "é", "\\u0041", "%"]


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(LINE_PIECES), max_size=8))
def test_gate_alternatives_in_any_order_accept_the_same_lines(pieces):
    line = "".join(pieces)
    assert bool(line_re().fullmatch(line)) == bool(FIRST_ORDER.fullmatch(line))


@settings(max_examples=1000)
@given(st.lists(st.sampled_from([*LINE_PIECES, '"a b"', "'it''s'", "x:y", "\u00a0"]), max_size=8))
def test_plain_text_gate_accepts_the_same_lines(pieces):
    line = "".join(pieces)
    if "\\" not in line:  # LINE_PIECES hold no \x85, \u2028 or \u2029
        assert bool(_PLAIN_TEXT_LINE_RE.fullmatch(line)) == bool(line_re().fullmatch(line))


def test_the_ascii_shortcut_for_characters_yaml_forbids_agrees_with_the_full_class() -> None:
    from validator.load.fast_yaml import _yaml_printable, not_printable

    for code in [*range(0x3000), 0xD800, 0xDFFF, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x10FFFF]:
        for text in (chr(code), f"title: a{chr(code)}b", f"é{chr(code)}"):
            assert _yaml_printable(text) == (not_printable().search(text) is None), hex(code)

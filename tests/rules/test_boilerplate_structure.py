"""The structure tier's shortcuts must give what the full computation gives, on any body."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.boilerplate import (
    FlaggedLine,
    OnlyBoilerplate,
    PhraseOptions,
    load_packs,
    more_words_than,
    normalise_line,
    only_spaces,
    packs_for,
    phrase_hits,
    repeated_lines,
)
from rules.boilerplate_structure import (
    CHROME,
    MARK,
    WRAP_MIN,
    LinkLine,
    LinkLineOptions,
    MenuRun,
    MenuRunOptions,
    Unit,
    _breaks_a_quotation,
    _mark_end,
    _spans,
    frame_of,
    has_markup,
    kind_of,
    link_line,
    may_be_chrome,
    page_chrome,
    shape_of,
    units_of,
    visible_lines,
    visible_text,
)
from validator.findings import Problem
from validator.records import Record
from validator.rule import CheckContext

PIECES = [
    "Home",
    "World",
    "Politics",
    "Sport",
    "the",
    "minister",
    "said",
    "on",
    "Tuesday",
    "report",
    "2024",
    "12",
    "(12)",
    "[Home](https://example.org/)",
    "[a](b)",
    "https://example.org/x",
    "www.example.org",
    "*",
    "**bold**",
    "_it_",
    "-",
    "•",
    "|",
    ",",
    "、",
    ".",
    "!",
    "?",
    "…",
    "。",
    "”",
    ")",
    "新聞",
    "\u200b",
    "\u00ad",
    "ht\u200btp",
    "É",
    "\r",
    "\t",
    "1.",
    "#",
    ">",
    "×",
]
PREFIXES = ["", "", "", "* ", "- ", "1. ", "  ", "| ", "> ", "• "]


WORDS = ["the", "minister", "said", "on", "Tuesday", "Report", "figures", "2024", "Ümit", "新聞"]
ENDS = ["", "", ".", "!", "?", "…", "。", ".”", ".)", ":", ";", ","]


@st.composite
def sentences(draw: st.DrawFn) -> str:
    """Prose-like lines near the bounds of may_be_chrome: 4 to 8 words, some commas."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=4, max_size=8))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(words) - 1))
        words[at] += draw(st.sampled_from([",", "、", "，", "،"]))
    return draw(st.sampled_from(PREFIXES)) + " ".join(words) + draw(st.sampled_from(ENDS))


@st.composite
def scraps(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(PIECES), max_size=14))
    joiner = draw(st.sampled_from([" ", " ", "", "  "]))
    line = draw(st.sampled_from(PREFIXES)) + joiner.join(words)
    if draw(st.booleans()) and len(line) < WRAP_MIN:  # long enough to wrap the next line
        line += " and the committee said it would publish the figures" * draw(st.integers(0, 2))
    return line


LINKS = [
    "[Home](https://example.org/)",
    "[a](b)",
    "https://example.org/x",
    "www.example.org",
    "ht\u200btps://example.org/y",  # a link only once invisible characters are dropped
    "[b]\u200b(c)",
]


@st.composite
def link_rows(draw: st.DrawFn) -> str:
    """Rows of links, some starting with a letter ('a [Home](…) [b](…)' is still a row)."""
    links = draw(st.lists(st.sampled_from(LINKS), min_size=1, max_size=4))
    lead = draw(st.sampled_from(["", "a ", "1 ", "* ", "\u200b", "ht\u200btp "]))
    return lead + draw(st.sampled_from([" ", " | "])).join(links)


def lines() -> st.SearchStrategy[str]:
    return st.one_of(sentences(), scraps(), link_rows())


MENU = st.sampled_from(["Home", "World", "Business", "Sport", "Video", "More news", "* Opinion"])
PROSE = (
    "The minister said on Tuesday that the figures, published by the office, were wrong. "
    "She added that a review would follow before the end of the year."
)


@st.composite
def bodies(draw: st.DrawFn) -> str:
    block = st.one_of(
        lines(),
        st.just(PROSE),
        st.just(""),
        st.lists(st.one_of(MENU, sentences()), min_size=1, max_size=12).map("\n".join),
    )
    return "\n".join(draw(st.lists(block, max_size=12)))


@settings(max_examples=500)
@given(lines())
def test_may_be_chrome_is_true_for_every_menu_headline_or_link_line(line: str) -> None:
    if not may_be_chrome(line):
        assert kind_of(shape_of(line)) not in CHROME - {MARK}
    if not has_markup(visible_text(line)):  # what page_chrome knows from the whole body
        assert may_be_chrome(line, markup=False) == may_be_chrome(line)


@settings(max_examples=300)
@given(bodies(), st.integers(1, 10), st.integers(1, 4))
def test_page_chrome_gives_what_the_units_give(body: str, min_run: int, side: int) -> None:
    options = MenuRunOptions(min_run=min_run, min_side_run=side)
    assert page_chrome(body, options) == frame_of(units_of(body), options)


def units_line_by_line(body: str) -> list[Unit]:
    """units_of as first written: invisible characters dropped line by line."""
    spans: list[tuple[int, int, str]] = []
    previous: str | None = None
    for index, raw in enumerate(body.split("\n")):
        text = visible_text(raw).rstrip()
        if not text.strip():
            previous = None
            continue
        if previous is not None and len(previous) >= WRAP_MIN and not _mark_end(text):
            first, _, joined = spans[-1]
            spans[-1] = (first, index, joined + " " + text.strip())
        else:
            spans.append((index, index, text))
        previous = text
    units = []
    for first, last, text in spans:
        shape = shape_of(text)
        units.append(Unit(first, last, kind_of(shape), shape.letters))
    return units


@settings(max_examples=300)
@given(bodies())
def test_units_of_matches_the_line_by_line_split(body: str) -> None:
    assert units_of(body) == units_line_by_line(body)


def record_of(body: str) -> Record:
    return Record("a.md", 0, 1, "markdown", data={}, body=body, body_line=5)


@settings(max_examples=300)
@given(bodies())
def test_link_line_rule_reports_what_link_line_says_of_every_line(body: str) -> None:
    record = record_of(body)
    reported = [(p.line, p.message) for p in LinkLine().check(record, CheckContext())]
    max_chars = LinkLineOptions().max_chars
    lines = list(record.iter_body_lines())
    expected = [
        (line, reason)
        for index, (line, text) in enumerate(lines)
        if (reason := link_line(text, max_chars)) is not None
        and not _breaks_a_quotation(lines, index)  # a quotation's paragraph break is text
    ]
    assert [line for line, _ in reported] == [line for line, _ in expected]
    assert all(
        reason in message for (_, message), (_, reason) in zip(reported, expected, strict=True)
    )


def every_line_flagged(record: Record) -> list[Problem]:
    """boilerplate/only-boilerplate as first written: every line judged."""
    options = PhraseOptions()
    content = [(i, line) for i, (line, text) in enumerate(record.iter_body_lines()) if text.strip()]
    if not content:
        return []
    flagged = {hit.index for hit in phrase_hits(record, options)}
    flagged |= {hit.index for hit in repeated_lines(record, 30)}
    max_chars = LinkLineOptions().max_chars
    flagged |= {
        i
        for i, (_, text) in enumerate(record.iter_body_lines())
        if link_line(text, max_chars) is not None
    }
    if not flagged.issuperset(i for i, _ in content):
        return []
    first, last = content[0][1], content[-1][1]
    return [Problem("", line=first, end_line=last if last != first else None)]


chrome_lines = st.sampled_from(
    ["Advertisement", "Skip to main content", "*", "• ", "[a](b) [c](d)", "Menu", "Share", ""]
)


@settings(max_examples=300)
@given(st.lists(st.one_of(chrome_lines, lines()), max_size=12))
def test_only_boilerplate_stops_at_the_first_article_line(parts: list[str]) -> None:
    body = "\n".join(parts)
    found = list(OnlyBoilerplate().check(record_of(body), CheckContext()))
    expected = every_line_flagged(record_of(body))
    assert [(p.line, p.end_line) for p in found] == [(p.line, p.end_line) for p in expected]


def phrase_hits_by_full_split(record: Record, options: PhraseOptions) -> list[FlaggedLine]:
    """boilerplate.phrase_hits as first written: every line split into all its words."""
    packs = packs_for(record, load_packs(options.packs))
    found = []
    for index, (line, text) in enumerate(record.iter_body_lines()):
        if not text.strip() or len(text.split()) > options.max_line_words:
            continue
        normalised = normalise_line(text)
        for pack in packs:
            category = pack.match(normalised)
            if category is not None:
                found.append(FlaggedLine(index, line, text, f"{pack.name} pack, {category}"))
                break
    return found


SPACES = st.sampled_from([" ", " ", " ", " ", "  ", "\t", "\u00a0", "\u3000", " \x1c"])


@st.composite
def phrase_lines(draw: st.DrawFn) -> str:
    words = draw(st.sampled_from(["Advertisement", "Skip to main content", "Share this article"]))
    words += draw(st.sampled_from(["", " now", " é", " 1 2 3"]))
    parts = words.split(" ")
    line = parts[0] + "".join(draw(SPACES) + part for part in parts[1:])
    return draw(st.sampled_from(["", " ", "\t"])) + line + draw(st.sampled_from(["", " ", "\r"]))


@settings(max_examples=300)
@given(st.lists(st.one_of(phrase_lines(), st.just("")), max_size=4), st.integers(-1, 1))
def test_phrase_hits_count_words_as_a_full_split(parts: list[str], off_by: int) -> None:
    # max-line-words just under, at or over the length of a line: where a miscount shows.
    most = max(1, max((len(part.split()) for part in parts), default=1) + off_by)
    options = PhraseOptions(max_line_words=most)
    body = "\n".join(parts)
    assert phrase_hits(record_of(body), options) == phrase_hits_by_full_split(
        record_of(body), options
    )


@settings(max_examples=300)
@given(bodies(), st.booleans())
def test_every_unit_that_may_be_chrome_has_a_line_that_may_be(body: str, markup: bool) -> None:
    # page_chrome counts lines instead of units; this is why that count is never too low.
    lines = visible_lines(body)
    units = [text for _, _, text in _spans(lines)]
    by_unit = sum(may_be_chrome(text, markup or has_markup(text)) for text in units)
    by_line = sum(
        bool(line.strip()) and may_be_chrome(line, markup or has_markup(line)) for line in lines
    )
    assert by_unit <= by_line


@settings(max_examples=200)
@given(bodies(), st.integers(1, 10))
def test_menu_run_rule_reports_the_page_chrome_of_its_body(body: str, min_run: int) -> None:
    options = MenuRunOptions(min_run=min_run, min_side_run=1)
    record = record_of(body)
    found = [(p.line, p.end_line) for p in MenuRun(options).check(record, CheckContext())]
    expected = []
    for chrome in page_chrome(body, options) if body else ():
        first, last = record.body_file_line(chrome.first), record.body_file_line(chrome.last)
        expected.append((first, last if last != first else None))
    assert found == expected


@st.composite
def framed_bodies(draw: st.DrawFn) -> str:
    """A menu before and after some article paragraphs: the frames the rule looks for."""
    before = draw(st.lists(MENU, max_size=10))
    after = draw(st.lists(MENU, max_size=10))
    article = draw(st.lists(st.one_of(st.just(PROSE), sentences()), min_size=1, max_size=4))
    return "\n".join([*before, "", "\n\n".join(article), "", *after])


@settings(max_examples=300)
@given(framed_bodies(), st.integers(-1, 1), st.integers(1, 3))
def test_page_chrome_at_the_edge_of_min_run(body: str, off_by: int, side: int) -> None:
    # min-run just under, at or over the number of lines that may be chrome.
    lines = visible_lines(body)
    possible = sum(bool(line.strip()) and may_be_chrome(line) for line in lines)
    options = MenuRunOptions(min_run=max(1, possible + off_by), min_side_run=side)
    assert page_chrome(body, options) == frame_of(units_of(body), options)


TOKENS = ["a", "bb", "ccc", " ", " ", " \t", "\t ", " \t ", "\t"]
TOKENS += ["\u00a0", "\u3000", "\x1c", "é", "\x7f"]


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(TOKENS), max_size=60), st.integers(1, 8))
def test_more_words_than_counts_as_a_full_split(tokens: list[str], most: int) -> None:
    text = "".join(tokens).strip()
    assert more_words_than(text, most) == (len(text.split()) > most)
    if only_spaces(text):  # what _phrase_hits knows of the lines of such a body
        assert more_words_than(text, most, spaces_only=True) == (len(text.split()) > most)


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_visible_text_drops_each_invisible_character_from_non_ascii_text(invisible):
    assert visible_text(f"Zoë{invisible} said “menu”{invisible}") == "Zoë said “menu”"


def test_visible_text_keeps_text_without_invisible_characters_as_it_is():
    for text in ("Plain ASCII line", "Zoë said “menu” — ¿qué?", "新闻 · 首页"):
        assert visible_text(text) is text

"""boilerplate/ structure tier: page chrome recognised by the shape of its lines, not its words.

Nothing here depends on a language's vocabulary. A line's shape is its length in letters (wide
CJK characters count twice), its word count, whether it ends like a sentence (. ! ? … 。 ！ ？ ؟ ।)
or has commas or stops inside, its share of capitalised words (only for scripts with case), its
digits, and how much of it is link text or URLs. From the shape each line gets a kind: prose,
menu (a few words, no sentence end, no digits, Title-Case-like), headline (no sentence end, no
comma), data (mostly digits), link, mark (bullets or symbols only) or other.

boilerplate/menu-run finds the article as the stretch of lines with the most letters of prose in
it (a maximum-sum run, one pass, as in Finn et al.'s Body Text Extraction), then looks before and
after it for runs of menu-like lines. boilerplate/link-line reports single lines that carry no
words at all (an empty bullet, a close button) or only a row of links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from pydantic import Field

from validator.findings import Problem, Severity
from validator.records import Record
from validator.rule import CheckContext, Rule, RuleOptions

# No pattern below nests quantifiers; each is linear in the line's length.
_LIST_MARK = re.compile(r"^[\s\-*+•·●▪►▶»›◦‣–—#>|]*(?:\d{1,3}[.)]\s)?")
_MD_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\(([^()\s]*)(?:\s+\"[^\"\n]*\")?\)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"()]+")
_EMPHASIS = re.compile(r"(?<!\w)[*_]{1,3}|[*_]{1,3}(?!\w)")
_STOPS = re.compile(r"[.;:!?。！？؟](?:\s|$)")
_COUNTER = re.compile(r"[(\[]\d{1,6}[)\]]\s*$")
_INVISIBLES = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = re.compile(f"[{_INVISIBLES}]")


@lru_cache(maxsize=1)
def _wide() -> re.Pattern[str]:
    """Letters of the scripts written without spaces or in wide characters (East Asian
    Wide). Compiled on first need: its ranges take ~8 ms to compile, and ASCII text never
    needs it."""
    return re.compile(
        "[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff"
        "\uff21-\uff3a\uff41-\uff5a\U00020000-\U0003fffd]"
    )


_TERMINAL = frozenset(".!?…。！？؟।")
_NOT_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
_NOT_DIGITS = bytes(b for b in range(128) if not chr(b).isdigit())
SAMPLE_WORDS = 60  # capitalisation is judged on a line's first words
_CLOSERS = "\"'”’»)]）」』›"

MENU, HEADLINE, LINK, DATA, PROSE, OTHER, MARK = (
    "menu",
    "headline",
    "link",
    "data",
    "prose",
    "other",
    "mark",
)
CHROME = frozenset((MENU, HEADLINE, LINK, MARK))
WRAP_MIN = 55  # a line this long, followed by a line without a list mark, is hard-wrapped
PROSE_LETTERS = 40  # letters a line needs to be prose
MENU_WORDS = 4  # words a menu item has at most
CHROME_SCORE = -30  # what a menu, headline or link line costs the article at least


def _mark_end(text: str) -> int:
    """Where the list marks or bullets a line starts with end (0 when it has none)."""
    found = _LIST_MARK.match(text)
    return found.end() if found else 0


def visible_text(line: str) -> str:
    """The line without invisible characters (zero-width spaces, byte-order marks)."""
    # Six searches for one character each are ~25 times faster than the class's scan of a
    # non-ASCII body (~110 us for 8 KB), and most such bodies have none of them.
    if line.isascii() or not any(char in line for char in _INVISIBLES):
        return line
    return _INVISIBLE.sub("", line)


@dataclass(frozen=True)
class Shape:
    """What the structure tier knows about one line (or one hard-wrapped paragraph)."""

    letters: int  # letters, wide (CJK) characters counted twice
    words: int
    digits: int
    terminal: bool  # ends like a sentence
    commas: int
    stops: int  # sentence punctuation inside the line
    cased_words: int  # words in a script with case (of the first SAMPLE_WORDS)
    capitalised: int  # of those, starting with a capital
    long_cased: int  # cased words of 4 characters or more
    long_capitalised: int
    link_share: float  # share of the letters and digits that are link text or a URL
    links: int
    counter: bool  # 'Archive (12)': a label with a count
    cell: bool  # '| Pos |': a cell of a Markdown table

    @property
    def capital_share(self) -> float:
        return self.capitalised / self.cased_words if self.cased_words else 0.0


def _count_letters_digits(text: str) -> tuple[int, int]:
    if text.isascii():  # the common case, counted in C
        raw = text.encode("ascii")
        return len(raw.translate(None, _NOT_LETTERS)), len(raw.translate(None, _NOT_DIGITS))
    letters = sum(map(str.isalpha, text)) + len(_wide().findall(text))
    return letters, sum(map(str.isdigit, text))


def shape_of(line: str) -> Shape:
    text = visible_text(line).strip()
    cell = text.startswith("|") or text.endswith("|")
    text = text[_mark_end(text) :]
    link_chars = links = 0
    if "](" in text:
        parts: list[str] = []
        last = 0
        for found in _MD_LINK.finditer(text):
            parts += [text[last : found.start()], found.group(1)]
            link_chars += sum(map(str.isalnum, found.group(1))) or 1
            links += 1
            last = found.end()
        parts.append(text[last:])
        text = "".join(parts)
    if "http" in text or "www." in text:
        for found in _URL.finditer(text):
            link_chars += sum(map(str.isalnum, found.group()))
            links += 1
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub("", text).strip()
    letters, digits = _count_letters_digits(text)
    words = text.split()
    cased = capitalised = long_cased = long_capitalised = 0
    for word in words[:SAMPLE_WORDS]:
        first = word[0] if word[0].isalpha() else next((c for c in word if c.isalpha()), "")
        if first and (first.isupper() or first.islower()):
            upper = first.isupper()
            cased += 1
            capitalised += upper
            if len(word) >= 4:
                long_cased += 1
                long_capitalised += upper
    body = text.rstrip(_CLOSERS)
    return Shape(
        letters=letters,
        words=len(words),
        digits=digits,
        terminal=bool(body) and body[-1] in _TERMINAL,
        commas=text.count(",") + text.count("、") + text.count("，") + text.count("،"),
        stops=len(_STOPS.findall(body[:-1])),
        cased_words=cased,
        capitalised=capitalised,
        long_cased=long_cased,
        long_capitalised=long_capitalised,
        link_share=min(1.0, link_chars / max(1, sum(map(str.isalnum, text)))) if links else 0.0,
        links=links,
        counter=bool(_COUNTER.search(text[-12:])),
        cell=cell,
    )


def kind_of(shape: Shape) -> str:
    if not shape.letters and (not shape.digits or (shape.words <= 1 and shape.digits <= 4)):
        return MARK  # bullets, symbols, a lone page number
    if shape.cell:
        return DATA  # tables are the article's, however short their cells
    if shape.counter and shape.words <= MENU_WORDS + 1:
        return MENU  # 'Politics (1942)', 'Março (192)'
    if (
        shape.letters >= PROSE_LETTERS
        and not (shape.cased_words >= 4 and shape.capital_share > 0.6)
        and shape.link_share <= 0.5
        and (shape.terminal or shape.commas or shape.stops or shape.letters >= 4 * PROSE_LETTERS)
    ):
        return PROSE
    if shape.digits and shape.digits * 2 >= shape.letters:
        return DATA
    if shape.link_share > 0.5:
        return LINK
    if (
        shape.words <= MENU_WORDS
        and not shape.terminal
        and not shape.digits
        and (
            shape.words <= 2
            or shape.long_capitalised * 2 >= shape.long_cased  # Title Case, or uncased script
        )
    ):
        return MENU
    if not shape.terminal and not shape.commas:
        return HEADLINE
    return OTHER


@dataclass(frozen=True)
class Unit:
    """A non-blank line, or the lines of one hard-wrapped paragraph (0-based body line indexes)."""

    first: int
    last: int
    kind: str
    letters: int


def visible_lines(body: str) -> list[str]:
    """The body's lines without invisible characters. These are never line breaks, so
    dropping them from the whole body at once gives the same lines as line by line."""
    return visible_text(body).split("\n")


def _spans(lines: list[str]) -> list[tuple[int, int, str]]:
    """(first, last, text) of each unit: a non-blank line or a hard-wrapped paragraph."""
    spans: list[tuple[int, int, str]] = []
    previous: str | None = None
    for index, raw in enumerate(lines):
        text = raw.rstrip()
        if not text:
            previous = None
            continue
        if previous is not None and len(previous) >= WRAP_MIN and not _mark_end(text):
            first, _, joined = spans[-1]
            spans[-1] = (first, index, joined + " " + text.strip())
        else:
            spans.append((index, index, text))
        previous = text
    return spans


def _units(spans: list[tuple[int, int, str]]) -> list[Unit]:
    units = []
    for first, last, text in spans:
        shape = shape_of(text)
        units.append(Unit(first, last, kind_of(shape), shape.letters))
    return units


def units_of(body: str) -> list[Unit]:
    return _units(_spans(visible_lines(body)))


def has_markup(text: str) -> bool:
    """Whether text has emphasis or link characters, which shape_of takes out first."""
    return "*" in text or "_" in text or "](" in text or "http" in text or "www." in text


def body_markup(record: Record) -> tuple[bool, bool]:
    """Whether the visible body has link characters, and emphasis ones (see has_markup);
    looked for once per record."""

    def find() -> tuple[bool, bool]:
        shown = visible_text(record.body or "")
        links = "](" in shown or "http" in shown or "www." in shown
        return links, "*" in shown or "_" in shown

    found: tuple[bool, bool] = record.remember("boilerplate.markup", find)
    return found


def may_be_chrome(text: str, markup: bool = True) -> bool:
    """False only when kind_of(shape_of(text)) is surely not menu, headline or link.

    A cheap test for the common prose line: kind_of gives those kinds only to a line of at
    most MENU_WORDS + 1 words, with links, or without both a sentence end and a comma. Lines
    with emphasis or links are left to shape_of, which rewrites their text first. `markup`
    False says the caller knows the text has_markup not (it looked at the whole body).
    """
    text = visible_text(text).strip()
    if markup and has_markup(text):
        return True
    if not text[:1].isalpha():  # a letter never starts a list mark
        text = text[_mark_end(text) :]
    if len(text.split(None, MENU_WORDS + 1)) <= MENU_WORDS + 1:
        return True
    body = text.rstrip(_CLOSERS)
    if body and body[-1] in _TERMINAL:
        return False
    return not ("," in text or "、" in text or "，" in text or "،" in text)


def article_span(units: list[Unit], article_letters: int) -> tuple[int, int] | None:
    """The run of units with the most prose: a prose unit scores its letters minus
    `article_letters`, any other unit at most 0 and a menu, headline or link unit at most
    CHROME_SCORE (marks score 0); the maximum-sum run is found in one pass."""
    best: tuple[int, int] | None = None
    best_sum = total = start = 0
    for index, unit in enumerate(units):
        score = unit.letters - article_letters
        if unit.kind == MARK:
            score = 0
        elif unit.kind in CHROME:
            score = min(score, CHROME_SCORE)
        elif unit.kind != PROSE:
            score = min(score, 0)
        if total <= 0:
            total, start = score, index
        else:
            total += score
        if total > best_sum:
            best_sum, best = total, (start, index)
    return best


class MenuRunOptions(RuleOptions):
    min_run: int = Field(
        8,
        ge=1,
        description="menu, headline and link lines a run needs to show that the body is a whole "
        "web page (at least half of them menu items, and at least a third of them on the line "
        "right after the previous one, as list items are)",
    )
    min_side_run: int = Field(
        3,
        ge=1,
        description="menu, headline and link lines a run needs once the body has shown it is a "
        "whole web page",
    )
    article_letters: int = Field(
        80,
        ge=1,
        description="letters a line needs to count for, not against, the article when the "
        "article's stretch of lines is sought",
    )


@dataclass(frozen=True)
class Chrome:
    first: int  # body line indexes, inclusive
    last: int
    lines: int
    menu: int
    where: str  # "start" or "end"


def _runs(units: list[Unit], span: range) -> Iterator[tuple[int, int]]:
    """Maximal runs of chrome-shaped units within span, bridging single other units."""
    start = last = None
    for k in span:
        if units[k].kind not in CHROME:
            continue
        if start is None or last is None or k - last > 2:
            if start is not None and last is not None:
                yield start, last
            start = k
        last = k
    if start is not None and last is not None:
        yield start, last


def page_chrome(body: str, options: MenuRunOptions) -> tuple[Chrome, ...]:
    """The page frame at the start and at the end of a body, if the body shows it has one."""
    shown = visible_text(body)
    return _page_chrome(shown.split("\n"), has_markup(shown), options)


def _page_chrome(lines: list[str], markup: bool, options: MenuRunOptions) -> tuple[Chrome, ...]:
    """page_chrome from the body's visible lines; `markup`: whether the body has_markup."""
    # A frame needs one run of min_run menu, headline or link units; most bodies have far
    # fewer lines that could be any of these, and are settled without shaping a line. Lines
    # are looked at, not units: each unit that may be chrome has a line that may be (a unit
    # of few words has only short lines; one with no sentence end and no comma ends in such a
    # line; markup lies within one line, as a unit's lines are joined with a space).
    possible = 0
    for line in lines:
        if line and not line.isspace() and may_be_chrome(line, markup):
            possible += 1
            if possible >= options.min_run:
                break
    else:
        return ()
    return frame_of(_units(_spans(lines)), options)


def _inner_edge(units: list[Unit], edge: int, step: int) -> int:
    """The unit where a frame run ends next to the article, moving from `edge` by `step`
    (-1 or 1) past the headline-like lines beside the article (its title, a standfirst), then
    past one sentence the run bridged there and the headline-like lines beyond it (a closing
    line of the article between two 'read more' lines). Every reported run holds a menu
    unit, so this always stops within the run."""
    while units[edge].kind == HEADLINE:
        edge += step
    if units[edge].kind == PROSE:
        edge += step
        while units[edge].kind == HEADLINE:
            edge += step
    return edge


def frame_of(units: list[Unit], options: MenuRunOptions) -> tuple[Chrome, ...]:
    """page_chrome from the body's units, without the shortcut that spares shaping lines."""
    article = article_span(units, options.article_letters)
    if article is None:
        return ()
    framed = False  # a long, dense menu run shows the body is a whole page
    sides: dict[str, list[tuple[int, int]]] = {"start": [], "end": []}
    for where, span in (
        ("start", range(0, article[0])),
        ("end", range(article[1] + 1, len(units))),
    ):
        for first, last in _runs(units, span):
            kinds = [unit.kind for unit in units[first : last + 1]]
            chrome = sum(kind in CHROME and kind != MARK for kind in kinds)
            if chrome < options.min_side_run or kinds.count(MENU) * 2 < chrome:
                continue
            adjacent = sum(
                units[k].first == units[k - 1].last + 1 for k in range(first + 1, last + 1)
            )
            framed |= chrome >= options.min_run and adjacent * 10 >= (last - first) * 3
            sides[where].append((first, last))
    if not framed:
        return ()
    found = []
    # Everything from the body's edge to the innermost run is page frame; the headline-like
    # lines next to the article stay (the article's own title, a standfirst), and so does the
    # prose a run bridges among them (a closing sentence between two 'read more' lines).
    edges = []
    if sides["start"]:
        edges.append(("start", 0, _inner_edge(units, sides["start"][-1][1], -1)))
    if sides["end"]:
        edges.append(("end", _inner_edge(units, sides["end"][0][0], 1), len(units) - 1))
    for where, first, last in edges:
        chunk = units[first : last + 1]
        found.append(
            Chrome(
                units[first].first,
                units[last].last,
                sum(unit.last - unit.first + 1 for unit in chunk),
                sum(unit.kind == MENU for unit in chunk),
                where,
            )
        )
    return tuple(found)


class MenuRun(Rule):
    slug = "boilerplate/menu-run"
    code = "BP004"
    severity = Severity.WARNING
    summary = "Menus and other page frame before or after the article text"
    needs = "body"
    Options = MenuRunOptions
    version = "2"  # 2: prose a run bridges next to the article is not reported as frame
    what = (
        "Reports the page frame of a body that holds a whole web page: the navigation menus, "
        "section lists, teaser headlines and footer links before and after the article. The "
        "article is taken to be the stretch of lines with the most prose; the rule then looks "
        "before and after it for runs of menu-like lines (a few words, no sentence end, no "
        "digits) mixed with headline-like and link lines. It fires only when one such run is "
        "long (`min-run` lines) and dense, which clean article text does not have; then "
        "everything from the start of the body to the last run before the article, and from the "
        "first run after it to the end, is reported as one finding each (line..end_line), "
        "except the headline-like lines and sentences at the run's edge next to the article "
        "(its title, a standfirst, a closing sentence between two 'read more' lines). The "
        "test uses only the shape of lines, so it works for any language. Not fixable: the "
        "article's bounds are a guess; review before deleting."
    )
    why = (
        "A body scraped from the whole page buries the article among hundreds of menu lines, "
        "which pollute search, summaries and word counts."
    )
    bad = (
        "Home\nWorld\nPolitics\nBusiness\nTech\nScience\nSports\nOpinion\nVideo\n\n"
        "Watchdog Warns About 'Chilling Effect' Of Russia's Use Of Facial Recognition\n\n"
        "Amnesty International has criticized Russia's plans ... (the article)\n\n"
        "About Us\nContact Us\nPrivacy Policy\nTerms of Use"
    )
    good = (
        "Watchdog Warns About 'Chilling Effect' Of Russia's Use Of Facial Recognition\n\n"
        "Amnesty International has criticized Russia's plans ... (the article)"
    )

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        assert isinstance(self.options, MenuRunOptions)
        if not record.body:
            return
        links, emphasis = body_markup(record)
        # An ASCII body has no invisible characters: its lines, split once, are visible.
        lines = record.body_line_list() if record.body.isascii() else visible_lines(record.body)
        for chrome in _page_chrome(lines, links or emphasis, self.options):
            first = record.body_file_line(chrome.first)
            last = record.body_file_line(chrome.last)
            place = "before" if chrome.where == "start" else "after"
            yield Problem(
                f"{chrome.lines} lines of page frame at the {chrome.where} of the body, {place} "
                f"the article text, {chrome.menu} of them menu items (structure tier: menu run)",
                line=first,
                end_line=last if last != first else None,
            )


# --- boilerplate/link-line ----------------------------------------------------------------

_THEMATIC_BREAK = re.compile(r"^\s*([-*_=~])(?:\s*\1){2,}\s*$")  # '* * *', '---': a section break
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$|^\s*:?-{2,}:?\s*\|")
_QUOTE_BREAK = re.compile(r">(?:\s*>)*")  # a bare '>': the break between two quoted paragraphs
_MARKS = frozenset("*+-–—•·●▪◦‣►▶»›<>#|/×✕✖☰≡_~")


def link_line(line: str, max_chars: int) -> str | None:
    """Why a line is a bare bullet, a symbol or a row of links; None when it is not."""
    text = visible_text(line).strip()
    if not text or len(text) > 2000:
        return None
    if not any(char.isalnum() for char in text):
        if len(text) > max_chars or _THEMATIC_BREAK.match(text) or _TABLE_ROW.match(text):
            return None
        if all(char in _MARKS or char.isspace() for char in text):
            return "a bullet or symbol with no text"
        return None
    if "](" not in text and "http" not in text and "www." not in text:
        return None
    shape = shape_of(text)
    if shape.links >= 2 and shape.link_share >= 0.8 and not shape.terminal:
        return f"a row of {shape.links} links"
    return None


class LinkLineOptions(RuleOptions):
    max_chars: int = Field(
        12, ge=1, description="longest line of bullets or symbols that is reported"
    )


class LinkLine(Rule):
    slug = "boilerplate/link-line"
    code = "BP005"
    severity = Severity.INFO
    summary = "Body line is only a bullet, a symbol or a row of links"
    needs = "body"
    fixable = True
    version = "2"  # 2: a bare '>' (a Markdown quotation's paragraph break) is not reported
    Options = LinkLineOptions
    what = (
        "Reports a body line that has no words: an empty list bullet ('*', '+', '•'), a "
        "leftover control ('×', '|', '>'), or a row of two or more links (Markdown links or "
        "bare URLs) that are at least 80% of the line and do not end a sentence. Section breaks "
        "('* * *', '---'), table rows, a bare '>' next to a quoted line (the break between two "
        "quoted paragraphs) and lines of invisible characters are not reported; neither is a "
        "single link, which may be the article's own."
    )
    why = (
        "Bullets and controls without text are what is left of menus, share bars and "
        "buttons; removing them loses nothing."
    )
    bad = "  * \n  +\n×\n[Home](https://example.com/) | [World](https://example.com/world)"
    good = "* * *\n\nThe report is at [the ministry's site](https://example.com/report)."

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        assert isinstance(self.options, LinkLineOptions)
        # In a body without links only a line with no letter or digit can be reported; one
        # that starts with a letter or digit is passed over without a call.
        plain = not body_markup(record)[0]
        lines = list(record.iter_body_lines())
        for index, (line, text) in enumerate(lines):
            if plain and (not text or text[0].isalnum()):
                continue
            reason = link_line(text, self.options.max_chars)
            if reason is not None and not _breaks_a_quotation(lines, index):
                shown = " ".join(text.split())
                shown = shown if len(shown) <= 60 else shown[:59] + "…"
                yield Problem(f"line {shown!r} is {reason} (structure tier: link line)", line=line)


def _breaks_a_quotation(lines: list[tuple[int, str]], index: int) -> bool:
    """Whether line `index` is a bare '>' beside a quoted line: Markdown's break between two
    paragraphs of one quotation, which is the article's text and not chrome."""
    if not _QUOTE_BREAK.fullmatch(lines[index][1].strip()):
        return False
    beside = [lines[n][1].strip() for n in (index - 1, index + 1) if 0 <= n < len(lines)]
    return any(text.startswith(">") and not _QUOTE_BREAK.fullmatch(text) for text in beside)


RULES = (MenuRun, LinkLine)

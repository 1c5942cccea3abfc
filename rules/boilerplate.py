"""boilerplate/: web-page chrome left in a scraped body, judged line by line.

The detector combines evidence in tiers, each a small rule of its own:

- phrase tier (boilerplate/phrase, here): phrase packs (YAML files in rules/packs/, format in
  rules/packs/README.md, checked against rules/packs/pack.schema.json) list whole lines:
  navigation, banners, share rows, prompts, placeholders, credits, related-links headings and
  footers. Provider packs apply to records of their provider domains, and to records that have
  no provider at all (body-only scrapes).
- structure tier: a doubled caption (boilerplate/repeated-caption, here), runs of menu-like
  lines around the article (boilerplate/menu-run) and lines of bare bullets or links
  (boilerplate/link-line), both in rules/boilerplate_structure.py.
- learned tier (boilerplate/learned-line, rules/learned.py): lines that recur across many
  records of the same provider, from a table learned from a corpus.

boilerplate/only-boilerplate (here) reports a body made of nothing but whole-line chrome. A
line is only ever flagged as a whole, so prose that mentions 'breaking news' or
'advertisement' inside a sentence is never flagged.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, Field

from rules.boilerplate_structure import LinkLineOptions, link_line
from validator.findings import Problem, Severity
from validator.records import Record
from validator.rule import CheckContext, Rule, RuleOptions, config_relative
from validator.stamp import Stamp

if TYPE_CHECKING:
    from validator.schema import RecordSchema

PACK_DIR = Path(__file__).parent / "packs"
PACK_SCHEMA = PACK_DIR / "pack.schema.json"
_LEADING_MARKS = " •·●▪◦‣►▶»*+-–—|>#"
_TRAILING_MARKS = " :|›»"
_WORDY = re.compile(r"[^\W\d_]{2,}.*\s.*[^\W\d_]{2,}")  # two words with letters, not markup


def normalise_line(line: str) -> str:
    """A line as packs and learned tables compare it: NFKC, white space collapsed, leading
    bullets and list marks and a trailing ':' '|' '›' '»' removed, case folded."""
    text = " ".join(unicodedata.normalize("NFKC", line).split())
    return text.lstrip(_LEADING_MARKS).rstrip(_TRAILING_MARKS).casefold()


@lru_cache(maxsize=1)
def pack_validator() -> RecordSchema:
    """The pack schema, compiled as the record schema is: jsonschema-rs says whether a pack
    is valid, and jsonschema (~100 ms to import) runs only to name what is wrong with one."""
    from validator.schema import RecordSchema

    return RecordSchema(json.loads(PACK_SCHEMA.read_text(encoding="utf-8")))


def _parse_pack(text: str, source: Path) -> Any:
    """A pack in the plain YAML on which YAML 1.1 and 1.2 agree (every shipped pack: a test
    holds them to it) is read by the front matter's fast path, so a one-file run does not
    import PyYAML; any other by libyaml, and on a syntax error by the pure-Python parser
    again, so the message is the one it gives."""
    from validator.load.fast_yaml import fast_load
    from validator.load.source import YamlLimits

    fast = fast_load(text, YamlLimits())
    if fast is not None:
        return fast
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        try:
            return yaml.load(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as error:
            raise PackError(f"boilerplate pack {source}: {error}") from None


@dataclass(frozen=True)
class Pack:
    name: str
    domains: tuple[str, ...]
    phrases: dict[str, str]  # normalised line -> category
    pattern: re.Pattern[str] | None  # one alternation, group name = category index
    pattern_categories: tuple[str, ...]

    def match(self, normalised: str) -> str | None:
        category = self.phrases.get(normalised)
        if category is not None:
            return category
        if self.pattern is not None:
            found = self.pattern.fullmatch(normalised)
            if found is not None and found.lastgroup is not None:
                return self.pattern_categories[int(found.lastgroup[1:])]
        return None


class PackError(Exception):
    pass


try:  # the regular-expression parser, to vet pack patterns; it moved in Python 3.11
    _sre_parse: Any = importlib.import_module("re._parser")
    _sre: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - Python 3.10
    _sre_parse = importlib.import_module("sre_parse")
    _sre = importlib.import_module("sre_constants")

_REPEATS = {_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", _sre.MAX_REPEAT)}


def _risky(parsed: Any, repeated: bool = False) -> str | None:
    """Why a parsed pattern could backtrack catastrophically, or None.

    Refused: a repeat that can match a varying number of times (+, *, {m,n}) inside another
    such repeat ('(a+)+', '(?: [^.]*)*'), and backreferences. '?' and fixed counts are fine.
    """
    for op, value in parsed:
        if op in _REPEATS:
            low, high, inner = value
            varies = high > 1 and low != high
            if varies and repeated:
                return "a quantifier inside a quantified group"
            found = _risky(inner, repeated or varies)
        elif op is _sre.SUBPATTERN:
            found = _risky(value[-1], repeated)
        elif op is _sre.BRANCH:
            found = next((why for sub in value[1] if (why := _risky(sub, repeated))), None)
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            found = _risky(value[1], repeated)
        elif op is getattr(_sre, "ATOMIC_GROUP", None):
            found = _risky(value, repeated)
        elif op in (_sre.GROUPREF, getattr(_sre, "GROUPREF_EXISTS", None)):
            found = "a backreference"
        else:
            found = None
        if found:
            return found
    return None


def check_pattern(pattern: str) -> str | None:
    """Why `pattern` cannot be used in a pack, or None when it can."""
    try:
        re.compile(pattern)
        parsed = _sre_parse.parse(pattern)
    except (re.error, OverflowError, RecursionError) as error:
        return str(error)
    risky = _risky(parsed)
    return f"{risky} could backtrack catastrophically" if risky else None


def compile_pack(source: Path, vetted: bool = False) -> Pack:
    """Read, validate (pack.schema.json) and compile one pack; PackError names what is wrong.

    ``vetted``: a pack shipped in rules/packs/, whose schema and patterns a test checks
    (tests/rules/test_boilerplate.py), so a run does not check them again (~30 ms)."""
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PackError(f"boilerplate pack {source}: {error}") from None
    raw = _parse_pack(text, source)
    errors = (
        []
        if vetted
        else sorted(pack_validator().iter_errors(raw), key=lambda e: list(e.absolute_path))
    )
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path) or "(top level)"
        raise PackError(f"boilerplate pack {source}: {where}: {first.message}")
    phrases: dict[str, str] = {}
    alternatives: list[str] = []
    categories: list[str] = []
    for category, entries in raw["categories"].items():
        for phrase in entries.get("phrases", []):
            phrases[normalise_line(phrase)] = category
        for pattern in entries.get("patterns", []):
            problem = None if vetted else check_pattern(pattern)
            if problem is not None:
                raise PackError(f"boilerplate pack {source}: pattern {pattern!r}: {problem}")
            alternatives.append(f"(?P<p{len(categories)}>{pattern})")
            categories.append(category)
    combined = re.compile("|".join(alternatives)) if alternatives else None
    domains = tuple(domain.lower() for domain in raw.get("domains", []))
    return Pack(raw["name"], domains, phrases, combined, tuple(categories))


def load_packs(extra: tuple[str, ...] = ()) -> tuple[Pack, ...]:
    """The shipped packs and the extra ones. Compiled once per process while the extra files
    keep their stamps: a pack edited between two checks in one process (an editor, a test
    session) is read again, as its new contents are in the result cache's key."""
    return (*_shipped_packs(), *_extra_packs(extra, tuple(_stamp_text(p) for p in extra)))


@lru_cache(maxsize=1)
def _shipped_packs() -> tuple[Pack, ...]:
    return tuple(compile_pack(path, vetted=True) for path in shipped_packs())


@lru_cache(maxsize=16)
def _extra_packs(extra: tuple[str, ...], stamps: tuple[str, ...]) -> tuple[Pack, ...]:
    del stamps  # only part of the lru_cache key
    return tuple(compile_pack(Path(path)) for path in extra)


def _stamp_text(path: str) -> str:
    try:
        return Stamp.of(os.stat(path)).text()
    except OSError:
        return "unreadable"  # compile_pack says why


def shipped_packs() -> list[Path]:
    return [PACK_DIR / "generic.yaml", *sorted((PACK_DIR / "providers").glob("*.yaml"))]


def provider_domain(record: Record) -> str | None:
    """The record's provider domain, lower case and without 'www.', or None."""
    provider = record.get("provider")
    if isinstance(provider, dict) and isinstance(provider.get("domain"), str):
        return str(provider["domain"]).lower().removeprefix("www.")
    return None


def packs_for(record: Record, packs: tuple[Pack, ...]) -> list[Pack]:
    domain = provider_domain(record)
    chosen = []
    for pack in packs:
        if (
            not pack.domains
            or domain is None
            or any(domain == d or domain.endswith("." + d) for d in pack.domains)
        ):
            chosen.append(pack)
    return chosen


@dataclass(frozen=True)
class FlaggedLine:
    index: int  # 0-based line of the body (JSON bodies map every line to one file line)
    line: int  # file line
    text: str
    reason: str


def body_lines(record: Record) -> Iterator[tuple[int, int, str]]:
    """(body line index, file line, text) for each line of the body."""
    listed: list[tuple[int, int, str]] = record.remember("body_lines", lambda: _numbered(record))
    return iter(listed)


def _numbered(record: Record) -> list[tuple[int, int, str]]:
    pairs = list(record.iter_body_lines())
    # zip(*pairs) gives the column of file lines and the column of texts: no Python loop.
    return list(zip(range(len(pairs)), *zip(*pairs, strict=True), strict=True)) if pairs else []


class PhraseOptions(RuleOptions):
    packs: tuple[Annotated[str, AfterValidator(config_relative)], ...] = Field(
        (),
        description="extra pack files (YAML, same shape as rules/packs/*.yaml, see "
        "rules/packs/README.md); a relative path is taken from the configuration's folder",
    )
    max_line_words: int = Field(
        40, ge=1, description="longer lines are prose and never matched against the packs"
    )


def phrase_hits(record: Record, options: PhraseOptions) -> list[FlaggedLine]:
    """The phrase-pack lines of the record (computed once per record and options)."""
    found: list[FlaggedLine] = record.remember(
        ("phrase", options), lambda: list(_phrase_hits(record, options))
    )
    return found


def _phrase_hits(record: Record, options: PhraseOptions) -> Iterator[FlaggedLine]:
    packs = packs_for(record, load_packs(options.packs))
    most = options.max_line_words
    spaces_only = only_spaces(record.body or "")
    for index, line, text in body_lines(record):
        stripped = text.strip()
        if not stripped or more_words_than(stripped, most, spaces_only):
            continue
        normalised = normalise_line(text)
        for pack in packs:
            category = pack.match(normalised)
            if category is not None:
                yield FlaggedLine(index, line, text, f"{pack.name} pack, {category}")
                break


_OTHER_ASCII_SPACE = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f"  # white space to str.split, not ' ' or \n


def only_spaces(text: str) -> bool:
    """Whether text is ASCII whose only white space, line breaks aside, is ' '."""
    return text.isascii() and not any(char in text for char in _OTHER_ASCII_SPACE)


def more_words_than(text: str, most: int, spaces_only: bool = False) -> bool:
    """len(text.split()) > most, for text without white space at its ends; `spaces_only`
    says the caller knows that text is only_spaces (it looked at the whole body).

    Where ' ' is the only white space, n spaces make at most n + 1 words, and exactly that
    many when no space is doubled. Otherwise a paragraph is judged by its first characters.
    """
    if spaces_only:
        spaces = text.count(" ")
        if spaces < most:
            return False
        if "  " not in text:
            return True
    else:
        head = text[: 8 * (most + 1)]
        if head.isascii() and head.isprintable() and "  " not in head and head.count(" ") > most:
            return True
    return len(text.split(None, most)) > most


def repeated_lines(record: Record, max_words: int) -> list[FlaggedLine]:
    found: list[FlaggedLine] = record.remember(
        ("repeated", max_words), lambda: list(_repeated_lines(record, max_words))
    )
    return found


def _repeated_lines(record: Record, max_words: int) -> Iterator[FlaggedLine]:
    previous: str | None = None
    for index, line, text in body_lines(record):
        stripped = text.strip()
        if not stripped:
            continue
        if (
            stripped == previous
            and 2 <= len(stripped.split()) <= max_words
            and _WORDY.search(stripped)
        ):
            yield FlaggedLine(index, line, text, "repeats the line before it")
        previous = stripped


def shorten(text: str, limit: int = 60) -> str:
    """The line with its white space folded, cut to `limit` characters for a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Phrase(Rule):
    slug = "boilerplate/phrase"
    code = "BP001"
    severity = Severity.WARNING
    summary = "Body line is web-page chrome from a phrase pack"
    needs = "body"
    fixable = True
    Options = PhraseOptions
    version = "2"  # 2: share rows and terms footers whose items only a space separates
    what = (
        "Reports body lines that are, as a whole, navigation ('Accessibility links', 'Skip to "
        "main content', 'Menu', 'Sign in'), banners ('Breaking News'), 'Advertisement', share "
        "rows, cookie and newsletter prompts, image placeholders ('• 16x9 Image'), photo "
        "credits, related-links headings, copyright and terms footers, or a publisher footer "
        "from a provider pack (the RFE/RL footer). The phrases come from the packs in "
        "rules/packs/ (a generic pack and per-provider packs keyed by provider domain) and from "
        "extra `packs`. Matching ignores case, bullets and spacing; a sentence that merely "
        "mentions such words is never matched."
    )
    why = "Leftover chrome pollutes search, summaries and readers' text, and signals a bad scrape."
    bad = "Accessibility links\n\nBreaking News\n\nWatchdog Warns About ...\n\n  • 16x9 Image"
    good = "Watchdog Warns About ...\n\nAmnesty International has criticized ..."

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        assert isinstance(self.options, PhraseOptions)
        for hit in phrase_hits(record, self.options):
            yield Problem(
                f"boilerplate line {shorten(hit.text)!r} (phrase tier: {hit.reason})",
                line=hit.line,
            )


class RepeatOptions(RuleOptions):
    max_words: int = Field(30, ge=1, description="only lines this short count as captions")


class RepeatedCaption(Rule):
    slug = "boilerplate/repeated-caption"
    code = "BP002"
    severity = Severity.WARNING
    summary = "A short line repeated right after itself (doubled caption)"
    needs = "body"
    fixable = True
    Options = RepeatOptions
    what = (
        "Reports a short body line (at most `max-words` words) that repeats the previous "
        "non-blank line: a photo caption scraped twice (alt text and figcaption). Only the "
        "second copy is reported, so removing it keeps the caption once."
    )
    why = "The doubled line is an artefact of the page, not of the article."
    bad = "CCTV cameras on a building in Moscow\nCCTV cameras on a building in Moscow"
    good = "CCTV cameras on a building in Moscow"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        assert isinstance(self.options, RepeatOptions)
        for hit in repeated_lines(record, self.options.max_words):
            yield Problem(
                f"line {shorten(hit.text)!r} {hit.reason} (structure tier: doubled caption)",
                line=hit.line,
            )


_LINK_LINE_MAX_CHARS = LinkLineOptions().max_chars
_CAPTION_MAX_WORDS = RepeatOptions().max_words  # the defaults: built once, not per record


class OnlyBoilerplate(Rule):
    slug = "boilerplate/only-boilerplate"
    code = "BP003"
    severity = Severity.ERROR
    summary = "Body holds nothing but boilerplate"
    needs = "body"
    version = "2"  # 2: the generic pack's share rows and terms footers (boilerplate/phrase 2)
    what = (
        "Reports a body in which every non-blank line is whole-line boilerplate (a phrase-pack "
        "line, a repeated caption, or a bare bullet, symbol or row of links as "
        "boilerplate/link-line sees them): the scrape caught the page frame and missed the "
        "article. Lines are compared by their place in the body, so a JSON body, whose lines "
        "all sit on the record's line of the file, is judged line by line too. Its `packs` and "
        "`max-line-words` options mean what they mean for boilerplate/phrase."
    )
    why = "The record looks filled but carries no article text."
    Options = PhraseOptions
    bad = "Accessibility links\nSkip to main content\nAdvertisement"
    good = "(the article text, with or without stray chrome around it)"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        assert isinstance(self.options, PhraseOptions)
        content = [(index, line, text) for index, line, text in body_lines(record) if text.strip()]
        if not content:
            return  # body/missing reports empty bodies
        flagged = {hit.index for hit in phrase_hits(record, self.options)}
        flagged |= {hit.index for hit in repeated_lines(record, _CAPTION_MAX_WORDS)}
        max_chars = _LINK_LINE_MAX_CHARS
        # The first line that is not boilerplate settles it; usually the first line.
        for index, _, text in content:
            if index not in flagged and link_line(text, max_chars) is None:
                return
        first, last = content[0][1], content[-1][1]
        yield Problem(
            f"all {len(content)} non-blank body lines are boilerplate: the article text is missing",
            line=first,
            end_line=last if last != first else None,
        )


RULES = (Phrase, RepeatedCaption, OnlyBoilerplate)

"""boilerplate/: web-page chrome left in a scraped body, judged line by line.

Phrase packs (YAML files in rules/packs/) list whole lines: navigation, banners, share rows,
prompts, placeholders, credits, related-links headings and footers. Provider packs apply to
records of their provider domains, and to records that have no provider at all (body-only
scrapes). A line is only ever flagged as a whole, so prose that mentions 'breaking news' or
'advertisement' inside a sentence is never flagged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from validator.findings import Problem, Severity
from validator.records import Record
from validator.rule import CheckContext, Rule, RuleOptions

PACK_DIR = Path(__file__).parent / "packs"
_LEADING_MARKS = re.compile(r"^[\s•·●▪►▶»*\-–—|>#]+")
_TRAILING_MARKS = re.compile(r"[\s:|›»]+$")
_SPACES = re.compile(r"\s+")
_WORDY = re.compile(r"[^\W\d_]{2,}.*\s.*[^\W\d_]{2,}")  # two words with letters, not markup


def normalise_line(line: str) -> str:
    text = unicodedata.normalize("NFKC", line)
    text = _LEADING_MARKS.sub("", text)
    text = _TRAILING_MARKS.sub("", text)
    return _SPACES.sub(" ", text).casefold()


class _Category(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrases: list[str] = []
    patterns: list[str] = []


class PackFile(BaseModel):
    """The shape of a phrase pack file."""

    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    domains: list[str] = []
    categories: dict[str, _Category] = Field(min_length=1)


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


def compile_pack(source: Path) -> Pack:
    try:
        raw = yaml.load(source.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        spec = PackFile.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise PackError(f"boilerplate pack {source}: {error}") from None
    phrases: dict[str, str] = {}
    alternatives: list[str] = []
    categories: list[str] = []
    for category, entries in spec.categories.items():
        for phrase in entries.phrases:
            phrases[normalise_line(phrase)] = category
        for pattern in entries.patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise PackError(
                    f"boilerplate pack {source}: pattern {pattern!r}: {error}"
                ) from None
            alternatives.append(f"(?P<p{len(categories)}>{pattern})")
            categories.append(category)
    combined = re.compile("|".join(alternatives)) if alternatives else None
    return Pack(
        spec.name, tuple(d.lower() for d in spec.domains), phrases, combined, tuple(categories)
    )


@lru_cache(maxsize=16)
def load_packs(extra: tuple[str, ...] = ()) -> tuple[Pack, ...]:
    files = [PACK_DIR / "generic.yaml", *sorted((PACK_DIR / "providers").glob("*.yaml"))]
    return tuple(compile_pack(path) for path in [*files, *map(Path, extra)])


def _provider_domain(record: Record) -> str | None:
    provider = record.get("provider")
    if isinstance(provider, dict) and isinstance(provider.get("domain"), str):
        return str(provider["domain"]).lower().removeprefix("www.")
    return None


def packs_for(record: Record, packs: tuple[Pack, ...]) -> list[Pack]:
    domain = _provider_domain(record)
    chosen = []
    for pack in packs:
        if not pack.domains or domain is None or any(domain == d or domain.endswith("." + d) for d in pack.domains):
            chosen.append(pack)
    return chosen


@dataclass(frozen=True)
class FlaggedLine:
    line: int
    text: str
    reason: str


class PhraseOptions(RuleOptions):
    packs: tuple[str, ...] = Field(
        (), description="extra pack files (YAML, same shape as rules/packs/*.yaml)"
    )
    max_line_words: int = Field(
        40, ge=1, description="longer lines are prose and never matched against the packs"
    )


def phrase_hits(record: Record, options: PhraseOptions) -> Iterator[FlaggedLine]:
    packs = packs_for(record, load_packs(options.packs))
    for line, text in record.iter_body_lines():
        if not text.strip() or len(text.split()) > options.max_line_words:
            continue
        normalised = normalise_line(text)
        for pack in packs:
            category = pack.match(normalised)
            if category is not None:
                yield FlaggedLine(line, text, f"{pack.name} pack, {category}")
                break


def repeated_lines(record: Record, max_words: int) -> Iterator[FlaggedLine]:
    previous: str | None = None
    for line, text in record.iter_body_lines():
        stripped = text.strip()
        if not stripped:
            continue
        words = stripped.split()
        if stripped == previous and 2 <= len(words) <= max_words and _WORDY.search(stripped):
            yield FlaggedLine(line, text, "repeats the line before it")
        previous = stripped


def _shorten(text: str, limit: int = 60) -> str:
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
    what = (
        "Reports body lines that are, as a whole, navigation ('Accessibility links', 'Skip to "
        "main content', 'Menu', 'Sign in'), banners ('Breaking News'), 'Advertisement', share "
        "rows, cookie and newsletter prompts, image placeholders ('• 16x9 Image'), photo "
        "credits, related-links headings, copyright and terms footers, or a publisher footer "
        "from a provider pack (the RFE/RL footer). Matching ignores case, bullets and spacing; "
        "a sentence that merely mentions such words is never matched."
    )
    why = "Leftover chrome pollutes search, summaries and readers' text, and signals a bad scrape."
    bad = "Accessibility links\n\nBreaking News\n\nWatchdog Warns About ...\n\n  • 16x9 Image"
    good = "Watchdog Warns About ...\n\nAmnesty International has criticized ..."

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        assert isinstance(self.options, PhraseOptions)
        for hit in phrase_hits(record, self.options):
            yield Problem(f"boilerplate line {_shorten(hit.text)!r} ({hit.reason})", line=hit.line)


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
        "non-blank line: a photo caption scraped twice (alt text and figcaption)."
    )
    why = "The doubled line is an artefact of the page, not of the article."
    bad = "CCTV cameras on a building in Moscow\nCCTV cameras on a building in Moscow"
    good = "CCTV cameras on a building in Moscow"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        assert isinstance(self.options, RepeatOptions)
        for hit in repeated_lines(record, self.options.max_words):
            yield Problem(f"line {_shorten(hit.text)!r} {hit.reason}", line=hit.line)


class OnlyBoilerplate(Rule):
    slug = "boilerplate/only-boilerplate"
    code = "BP003"
    severity = Severity.ERROR
    summary = "Body holds nothing but boilerplate"
    needs = "body"
    what = (
        "Reports a body in which every non-blank line is boilerplate (a phrase-pack line or a "
        "repeated caption): the scrape caught the page frame and missed the article. Its "
        "`packs` and `max-line-words` options mean what they mean for boilerplate/phrase."
    )
    why = "The record looks filled but carries no article text."
    Options = PhraseOptions
    bad = "Accessibility links\nSkip to main content\nAdvertisement"
    good = "(the article text, with or without stray chrome around it)"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        assert isinstance(self.options, PhraseOptions)
        lines = [line for line, text in record.iter_body_lines() if text.strip()]
        if not lines:
            return  # body/missing reports empty bodies
        flagged = {hit.line for hit in phrase_hits(record, self.options)}
        flagged |= {hit.line for hit in repeated_lines(record, RepeatOptions().max_words)}
        if flagged.issuperset(lines):
            yield Problem(
                f"all {len(lines)} non-blank body lines are boilerplate: the article text is missing",
                line=lines[0],
                end_line=lines[-1],
            )


RULES = (Phrase, RepeatedCaption, OnlyBoilerplate)

"""body/: the article text itself: present, long enough, and not a copy of the summary."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from functools import lru_cache

from pydantic import Field

from validator.findings import Problem, Severity
from validator.records import Record
from validator.rule import CheckContext, Rule, RuleOptions

_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=8)
def at_least_words(count: int) -> re.Pattern[str]:
    """Matches (from the start) a text that has `count` or more _WORD runs."""
    return re.compile(rf"\W*\w+(?:\W+\w+){{{count - 1}}}")


# Chinese and Japanese are written without spaces, so a \w+ run there is a whole clause.
# Their characters (Han, kana) are counted instead, CJK_CHARS_PER_WORD to a word (words in
# these languages run one to three characters); Korean puts spaces between words.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHARS_PER_WORD = 2


@lru_cache(maxsize=1)  # compiled on the first non-ASCII body: ~17 ms of a one-file run
def _cjk_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A Chinese or Japanese character, and a run of other word characters."""
    return re.compile(f"[{_CJK}]"), re.compile(f"[^\\W{_CJK}]+")


def count_words(text: str, limit: int) -> int:
    """The words of text, up to `limit`: runs of word characters, with Chinese and Japanese
    characters counted CJK_CHARS_PER_WORD to a word rather than a clause to a word."""
    runs = len(list(itertools.islice(_WORD.finditer(text), limit)))
    if runs >= limit or text.isascii():
        return runs
    cjk_char, word_without_cjk = _cjk_patterns()
    if not cjk_char.search(text):
        return runs
    cjk = len(cjk_char.findall(text))
    return min(limit, len(word_without_cjk.findall(text)) + cjk // CJK_CHARS_PER_WORD)


def normalise_text(text: str) -> str:
    """Lower-case words only, so punctuation, spacing and quotes do not hide a copy."""
    return " ".join(_WORD.findall(text.casefold()))


class BodyMissing(Rule):
    slug = "body/missing"
    code = "BD001"
    severity = Severity.ERROR
    summary = "Record has no body, or only whitespace"
    needs = "body"
    what = "Reports a record whose body is absent (JSON without 'body') or only whitespace."
    why = (
        "A news record without its article text cannot be read, searched or summarised. Turn "
        "the rule off with a per-path override for collections whose bodies are empty by design."
    )
    bad = "---\ntitle: Example\n---\n"
    good = "---\ntitle: Example\n---\nThe article text, in full."

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        if record.body is None:
            yield Problem("record has no 'body' field: add the article text", pointer="/body")
        elif not record.body.strip():
            line = record.body_file_line(0)
            yield Problem("body is empty: add the article text after the front matter", line=line)


class TooShortOptions(RuleOptions):
    min_words: int = Field(50, ge=1, description="fewest words a body may have")


class BodyTooShort(Rule):
    slug = "body/too-short"
    code = "BD002"
    severity = Severity.WARNING
    summary = "Body shorter than min-words words"
    needs = "body"
    Options = TooShortOptions
    version = "2"  # 2: Chinese and Japanese characters count two to a word, not a clause
    what = (
        "Reports a non-empty body with fewer than `min-words` words (default 50). Chinese and "
        "Japanese, written without spaces, count two characters to a word."
    )
    why = "A body of a sentence or two is usually a teaser or a truncated scrape, not the article."
    bad = "---\ntitle: Example\n---\nRead more on our website."
    good = "---\ntitle: Example\n---\n(the full article, a few hundred words)"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        assert isinstance(self.options, TooShortOptions)
        if not record.body or not record.body.strip():
            return  # body/missing reports it
        needed = self.options.min_words
        # One match tells a long enough body; words are counted only for the message (and
        # for Chinese and Japanese text, whose \w+ runs are clauses).
        if at_least_words(needed).match(record.body):
            return
        words = count_words(record.body, needed)
        if words < needed:
            yield Problem(
                f"body has {words} word{'s' if words != 1 else ''}, fewer than "
                f"{self.options.min_words}: is it truncated?",
                line=record.body_file_line(0),
            )


class BodyRepeatsSummary(Rule):
    slug = "body/repeats-summary"
    code = "BD003"
    severity = Severity.WARNING
    summary = "Body only repeats the excerpt or title"
    needs = "body"
    what = (
        "Reports a body whose text, ignoring case, punctuation and spacing, is the excerpt or "
        "the title (or the title followed by the excerpt)."
    )
    why = "The article text was not captured: the record shows its summary twice."
    bad = '---\ntitle: "Quake hits coast"\nexcerpt: "A strong quake hit the coast."\n---\nA strong quake hit the coast.'
    good = '---\ntitle: "Quake hits coast"\nexcerpt: "A strong quake hit the coast."\n---\nThe full report ...'

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        if not record.body or not record.body.strip() or record.data is None:
            return
        title = record.get("title")
        excerpt = record.get("excerpt")
        summary_chars = sum(len(t) for t in (title, excerpt) if isinstance(t, str))
        if len(record.body) > 2 * summary_chars + 200:  # far longer than any repeat could be
            return
        body = normalise_text(record.body)
        if not body:
            return
        candidates = {
            "excerpt": excerpt,
            "title": title,
            "title and excerpt": f"{title} {excerpt}" if title and excerpt else None,
        }
        for name, text in candidates.items():
            if isinstance(text, str) and body == normalise_text(text):
                yield Problem(
                    f"body only repeats the {name}: the article text is missing",
                    line=record.body_file_line(0),
                )
                return


RULES = (BodyMissing, BodyTooShort, BodyRepeatsSummary)

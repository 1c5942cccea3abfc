"""meta/: dates that cannot be right and text damaged by a wrong encoding round-trip."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import Field

from validator.findings import Problem, Severity
from validator.load.source import ASCII_CONTROL_BYTES
from validator.records import Record
from validator.rule import CheckContext, Rule, RuleOptions


def parse_datetime(value: str) -> datetime | None:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def iter_dates(record: Record) -> Iterator[tuple[str, Any]]:
    data = record.data or {}
    if "publishedDateTime" in data:
        yield "/publishedDateTime", data["publishedDateTime"]
    related = data.get("related")
    if isinstance(related, list):
        for index, item in enumerate(related):
            if isinstance(item, dict) and "publishedDateTime" in item:
                yield f"/related/{index}/publishedDateTime", item["publishedDateTime"]


def parsed_dates(record: Record) -> list[tuple[str, Any, datetime | None]]:
    """(pointer, value, parsed or None) of each date of the record, parsed once per record."""
    found: list[tuple[str, Any, datetime | None]] = record.remember(
        "meta.dates",
        lambda: [
            (pointer, value, parse_datetime(value) if isinstance(value, str) else None)
            for pointer, value in iter_dates(record)
        ],
    )
    return found


class UnparseableDate(Rule):
    slug = "meta/unparseable-date"
    code = "MT001"
    severity = Severity.ERROR
    summary = "publishedDateTime is not an ISO 8601 date-time"
    what = "Reports a publishedDateTime (of the record or a related item) that is not an ISO 8601 / RFC 3339 date-time."
    why = "Sorting, feeds and 'published 3 hours ago' labels all read this field."
    bad = "publishedDateTime: 02/10/2020 4:30"
    good = "publishedDateTime: 2020-10-02T04:30:00Z"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        for pointer, value, parsed in parsed_dates(record):
            if not isinstance(value, str) or parsed is None:
                shown = (
                    value if isinstance(value, str) and len(value) <= 40 else type(value).__name__
                )
                yield Problem(f"date-time {shown!r} cannot be parsed as ISO 8601", pointer=pointer)


class FutureOptions(RuleOptions):
    tolerance_hours: float = Field(
        24.0, ge=0, description="how far ahead of now a date may be (time zones, embargoes)"
    )


class FutureDate(Rule):
    slug = "meta/future-date"
    code = "MT002"
    severity = Severity.ERROR
    summary = "publishedDateTime lies in the future"
    Options = FutureOptions
    depends_on_time = True
    version = "2"  # its findings are no longer cached (see Rule.depends_on_time)
    what = "Reports a publishedDateTime more than `tolerance-hours` (default 24) after the time of the check."
    why = "A future date pins a story to the top of every date-sorted list, usually from a wrong year or time zone."
    bad = "publishedDateTime: 2202-10-02T04:30:00Z"
    good = "publishedDateTime: 2020-10-02T04:30:00Z"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        assert isinstance(self.options, FutureOptions)
        limit = context.now + timedelta(hours=self.options.tolerance_hours)
        for pointer, value, parsed in parsed_dates(record):
            if parsed is not None and parsed > limit:
                yield Problem(f"date-time {value} is in the future", pointer=pointer)


# A lead byte of a UTF-8 sequence read as Windows-1252 / Latin-1, then continuation bytes.
_CONTINUATION = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
_MOJIBAKE = re.compile(f"[\u00c2-\u00f4][{_CONTINUATION}]{{1,3}}")


# Punctuation that correct text puts right after a letter: closing quotes, dashes, an ellipsis.
_AFTER_A_WORD = frozenset("‘’‚“”„–—…•«»")
_LAST_LATIN = "\u024f"  # the end of Latin Extended-B


def find_mojibake(text: str) -> str | None:
    """The first run of characters that is UTF-8 read as Windows-1252 (e.g. 'â€™' for '’')."""
    if text.isascii():  # every candidate starts with a character past ASCII
        return None
    for match in _MOJIBAKE.finditer(text):
        candidate = match.group()
        for codec in ("cp1252", "latin-1"):
            try:
                repaired = candidate.encode(codec).decode("utf-8")
            except UnicodeError:
                continue
            if repaired and not repaired.isascii() and _plausible(candidate, repaired):
                return candidate
    return None


def _plausible(candidate: str, repaired: str) -> bool:
    """Whether a candidate is likelier mojibake than a word's last letter and a quote or dash.
    Correct text has 'Spaß“' and 'OLÉ”', which decode to a character of another script (NKo,
    IPA); a mis-decoded letter of that shape decodes to a Latin one ('Ã–' for 'Ö')."""
    if len(candidate) == 2 and candidate[1] in _AFTER_A_WORD:
        return repaired[0] <= _LAST_LATIN
    return True


def iter_text_fields(record: Record) -> Iterator[tuple[str, str]]:
    data = record.data or {}
    for name in ("title", "excerpt"):
        if isinstance(data.get(name), str):
            yield f"/{name}", data[name]
    provider = data.get("provider")
    if isinstance(provider, dict) and isinstance(provider.get("name"), str):
        yield "/provider/name", provider["name"]
    topics = data.get("topics")
    if isinstance(topics, list):
        for index, topic in enumerate(topics):
            if isinstance(topic, str):
                yield f"/topics/{index}", topic
    related = data.get("related")
    if isinstance(related, list):
        for index, item in enumerate(related):
            if isinstance(item, dict):
                for name in ("title", "excerpt"):
                    if isinstance(item.get(name), str):
                        yield f"/related/{index}/{name}", item[name]


class Mojibake(Rule):
    slug = "meta/mojibake"
    code = "MT003"
    severity = Severity.WARNING
    summary = "Text shows mojibake (UTF-8 read as Windows-1252, like 'â€™')"
    needs = "body"
    version = "2"  # 2: a letter and a closing quote or dash is mojibake only if it decodes to Latin
    what = (
        "Reports title, excerpt, topics, provider name, related titles and excerpts, and body "
        "lines that contain UTF-8 bytes decoded as Windows-1252 or Latin-1: 'â€™' for '’', "
        "'Ã©' for 'é'. A candidate is reported only if it decodes back to real characters, and "
        "a letter followed by a quote or dash ('Spaß“', 'OLÉ”') only if it decodes to a Latin "
        "letter ('Ã–' for 'Ö')."
    )
    why = "Readers see garbage characters; the text went through a wrong encoding step."
    bad = "title: Russiaâ€™s plans"
    good = "title: Russia’s plans"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        for pointer, text in iter_text_fields(record):
            found = find_mojibake(text)
            if found:
                yield Problem(f"mojibake {found!r} (UTF-8 read as Windows-1252)", pointer=pointer)
        body = record.body
        # One scan of the whole body first; ASCII (most bodies) needs none.
        if not body or body.isascii() or not _MOJIBAKE.search(body):
            return
        for line, text in record.iter_body_lines():
            found = find_mojibake(text)
            if found:
                yield Problem(
                    f"mojibake {found!r} in the body (UTF-8 read as Windows-1252)", line=line
                )


# C0 controls but tab, line feed and carriage return; DEL; C1 controls (U+0080-U+009F).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_C0_NAMES = {0x00: "NUL", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed", 0x1B: "ESC"}


def has_control(text: str) -> bool:
    """Whether text holds a CONTROL character; found without the regular expression's
    per-character scan (~100 us for a body of 8 KB) in the common cases."""
    if text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, ASCII_CONTROL_BYTES)) != len(data)
    # Controls are not printable; most text, its line breaks aside, is.
    if text.replace("\n", " ").replace("\t", " ").replace("\r", " ").isprintable():
        return False
    return CONTROL.search(text) is not None


def describe_control(char: str) -> str:
    """What a control character is, and the likely cause where one is known."""
    code = ord(char)
    if code >= 0x80:
        try:
            meant = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            return f"C1 control character U+{code:04X}"
        return f"C1 control character U+{code:04X} (Windows-1252 {meant!r} decoded as Latin-1)"
    name = _C0_NAMES.get(code, "DEL" if code == 0x7F else "")
    return f"control character U+{code:04X}{f' ({name})' if name else ''}"


class ControlCharacter(Rule):
    slug = "meta/control-character"
    code = "MT004"
    severity = Severity.ERROR
    summary = "Text holds a control character (NUL, ESC, form feed, a C1 control)"
    needs = "body"
    what = (
        "Reports the title, excerpt, topics, provider name, related titles and excerpts, and "
        "each body line, that hold a control character: a C0 control other than tab, line "
        "feed and carriage return (NUL, backspace, ESC, form feed, ...), DEL, or a C1 control "
        "(U+0080-U+009F), which in scraped text is nearly always a Windows-1252 character "
        "decoded as Latin-1 (U+0093 for '“'). A NUL anywhere in the body is reported here, "
        "also past the first 8 KiB that input/binary looks at; a control character in a URL "
        "is link/malformed's."
    )
    why = (
        "XML feeds and many databases refuse control characters (PostgreSQL refuses NUL in "
        "text), and readers see boxes or nothing."
    )
    bad = 'title: "Budget passes\\u0000"'
    good = "title: Budget passes"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        for pointer, text in iter_text_fields(record):
            found = None if text.isprintable() else CONTROL.search(text)
            if found is not None:
                yield Problem(
                    f"{describe_control(found.group())} in {pointer[1:]}", pointer=pointer
                )
        body = record.body
        # One look at the whole body first: most bodies have none.
        if not body or not has_control(body):
            return
        for index, (line, text) in enumerate(record.iter_body_lines()):
            found = CONTROL.search(text)
            if found is None:
                continue
            count = len(CONTROL.findall(text))
            more = f" (and {count - 1} more on this line)" if count > 1 else ""
            if record.body_lines_map_to_record:  # a JSON body: the file has one line for it
                yield Problem(
                    f"{describe_control(found.group())} on line {index + 1} of the body{more}",
                    pointer="/body",
                )
            else:
                yield Problem(
                    f"{describe_control(found.group())} in the body{more}",
                    line=line,
                    column=found.start() + 1,
                )


RULES = (UnparseableDate, FutureDate, Mojibake, ControlCharacter)

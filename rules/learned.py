"""boilerplate/ learned tier: lines that recur across many records of the same provider.

A publisher's page frame repeats in every article it scrapes into ('Share this article', 'The
Day in Photos', its footer); article text does not. `learn_table` reads a corpus once and keeps
the normalised body lines that occur in at least `min_records` records of one provider (grouped
by `provider.domain`, or "*" for records without one); `save_table` and `load_table` keep that
table in a JSON data file; the boilerplate/learned-line rule flags body lines found in it.

The table file (JSON, UTF-8):

    {
      "format": "newslint-learned-lines",
      "version": 1,
      "normalisation": "nfkc-casefold-strip-marks",
      "min_records": 5,
      "providers": {
        "rferl.org": {"records": 1200, "lines": {"the day in photos": 1104, "share": 987}},
        "*": {"records": 35, "lines": {"skip to main content": 20}}
      }
    }

`providers` maps a provider domain (lower case, without "www.") or "*" to the number of records
read for it and to its learned lines, each a normalised line (see
rules.boilerplate.normalise_line: NFKC, case-folded, leading bullets and trailing ':' '|' '›'
removed, white space collapsed) with the number of records it occurred in. Counts are lower
bounds (see `learn_table`). The file may be written by hand or by another tool; entries are
read as they are, but lines are normalised again on loading.

To learn a table from a corpus of records (files or folders, read as `newslint check` reads
them; unreadable files are skipped):

    python -m rules.learned TABLE.json PATH... [--min-records N] [--max-lines N]

then point the rule at it in newslint.toml:

    [rules."boilerplate/learned-line"]
    table = "TABLE.json"
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from rules.boilerplate import normalise_line, provider_domain, shorten
from validator.findings import Problem, Severity
from validator.records import Record
from validator.rule import CheckContext, Rule, RuleOptions, config_relative

FORMAT = "newslint-learned-lines"
VERSION = 1
NORMALISATION = "nfkc-casefold-strip-marks"
ANY_PROVIDER = "*"
_TERMINAL = tuple(".!?…。！？")


class LearnedTableError(Exception):
    pass


@dataclass(frozen=True)
class ProviderLines:
    records: int  # records read for this provider
    lines: dict[str, int]  # normalised line -> records it occurred in (a lower bound)


@dataclass(frozen=True)
class LearnedTable:
    min_records: int
    providers: dict[str, ProviderLines] = field(default_factory=dict)

    def lookup(self, provider: str | None, normalised: str) -> tuple[str, int, int] | None:
        """(provider key, records with the line, records read) for a learned line, else None.

        A record with a provider is matched against that provider's lines and then the "*"
        lines; a record without one against the "*" lines only.
        """
        keys = [provider, ANY_PROVIDER] if provider else [ANY_PROVIDER]
        for key in keys:
            entry = self.providers.get(key) if key else None
            if entry is not None:
                count = entry.lines.get(normalised)
                if count is not None:
                    return key, count, entry.records
        return None


def learnable(normalised: str, max_words: int, max_chars: int) -> bool:
    """Only short lines with letters in them are counted: prose is never learned."""
    if not normalised or len(normalised) > max_chars or len(normalised.split()) > max_words:
        return False
    return any(char.isalpha() for char in normalised)


def sentence_like(normalised: str) -> bool:
    return normalised.endswith(_TERMINAL) and len(normalised.split()) >= 4


def learn_table(
    records: Iterable[Record],
    min_records: int = 5,
    *,
    sentence_share: float = 0.5,
    max_words: int = 12,
    max_chars: int = 200,
    max_lines: int = 200_000,
) -> LearnedTable:
    """Learn the lines that recur across records of one provider, in one pass.

    Each record's body lines are normalised and each distinct one is counted once for the
    record's provider (or "*"); records without a body are skipped. Only lines of at most
    `max_words` words and `max_chars` characters, with a letter in them, are counted. A line is
    kept when it occurred in at least `min_records` records of its provider; a line that reads
    like a sentence (four words or more, ending in . ! ? …) must moreover occur in at least
    `sentence_share` of them, so that a stock phrase of the articles ('He declined to comment.')
    is not taken for the frame.

    Memory is bounded: at most `max_lines` (provider, line) counters are held, whatever the
    corpus size (besides one record count per provider and the lines of the record at hand).
    When a new line arrives and all counters are taken, every counter is decremented and the
    ones at zero are dropped (Misra and Gries' frequent-items summary). So every count is a
    lower bound, undercounted by at most N / (max_lines + 1) where N is the number of (record,
    distinct line) pairs read, and a line that is frequent enough is never lost; pruning can
    only leave lines out of the table, never put one in.
    """
    if min_records < 1:
        raise ValueError("min_records must be at least 1")
    counts: dict[tuple[str, str], int] = {}
    seen_records: dict[str, int] = {}
    for record in records:
        if not record.body:
            continue
        provider = provider_domain(record) or ANY_PROVIDER
        seen_records[provider] = seen_records.get(provider, 0) + 1
        lines = {normalise_line(text) for text in record.body.split("\n")}
        for line in lines:
            if not learnable(line, max_words, max_chars):
                continue
            key = (provider, line)
            if key in counts:
                counts[key] += 1
            elif len(counts) < max_lines:
                counts[key] = 1
            else:
                for other in list(counts):
                    counts[other] -= 1
                    if not counts[other]:
                        del counts[other]
    providers: dict[str, dict[str, int]] = {}
    for (provider, line), count in counts.items():
        needed = max(
            min_records, sentence_share * seen_records[provider] if sentence_like(line) else 0
        )
        if count >= needed:
            providers.setdefault(provider, {})[line] = count
    return LearnedTable(
        min_records,
        {
            provider: ProviderLines(seen_records[provider], lines)
            for provider, lines in sorted(providers.items())
        },
    )


def table_document(table: LearnedTable) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "normalisation": NORMALISATION,
        "min_records": table.min_records,
        "providers": {
            provider: {
                "records": entry.records,
                "lines": dict(sorted(entry.lines.items(), key=lambda item: (-item[1], item[0]))),
            }
            for provider, entry in table.providers.items()
        },
    }


def save_table(table: LearnedTable, path: str | os.PathLike[str]) -> None:
    text = json.dumps(table_document(table), ensure_ascii=False, indent=1)
    Path(path).write_text(text + "\n", encoding="utf-8")


def _fail(path: object, why: str) -> LearnedTableError:
    return LearnedTableError(f"learned-lines table {path}: {why}")


def parse_table(document: Any, source: object = "<table>") -> LearnedTable:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _fail(source, f'not a learned-lines table (its "format" must be "{FORMAT}")')
    if document.get("version") != VERSION:
        raise _fail(
            source, f"version {document.get('version')!r} is not supported (only {VERSION})"
        )
    min_records = document.get("min_records")
    providers = document.get("providers")
    if not isinstance(min_records, int) or isinstance(min_records, bool) or min_records < 1:
        raise _fail(source, '"min_records" must be a whole number of at least 1')
    if not isinstance(providers, dict):
        raise _fail(source, '"providers" must be an object')
    parsed: dict[str, ProviderLines] = {}
    for provider, entry in providers.items():
        records = entry.get("records") if isinstance(entry, dict) else None
        lines = entry.get("lines") if isinstance(entry, dict) else None
        if not isinstance(records, int) or isinstance(records, bool) or records < 0:
            raise _fail(source, f'provider {provider!r}: "records" must be a whole number')
        if not isinstance(lines, dict) or not all(
            isinstance(count, int) and not isinstance(count, bool) for count in lines.values()
        ):
            raise _fail(source, f'provider {provider!r}: "lines" must map lines to counts')
        key = provider if provider == ANY_PROVIDER else provider.lower().removeprefix("www.")
        normalised = {normalise_line(line): count for line, count in lines.items()}
        normalised.pop("", None)
        parsed[key] = ProviderLines(records, normalised)
    return LearnedTable(min_records, parsed)


def load_table(path: str | os.PathLike[str]) -> LearnedTable:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise _fail(path, f"cannot read it: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _fail(path, f"not valid JSON: {error}") from None
    return parse_table(document, path)


@lru_cache(maxsize=8)
def _cached_table(path: str, stamp: tuple[int, int]) -> LearnedTable:
    return load_table(path)


def cached_table(path: str) -> LearnedTable:
    """The table at `path`, read once per run (again only if the file changes)."""
    try:
        status = os.stat(path)
    except OSError as error:
        raise _fail(path, f"cannot read it: {error.strerror}") from None
    return _cached_table(path, (status.st_mtime_ns, status.st_size))


class LearnedLineOptions(RuleOptions):
    table: Annotated[str | None, AfterValidator(config_relative)] = Field(
        None,
        description="the learned-lines table (JSON, see rules/learned.py; a relative path is "
        "taken from the configuration's folder); without one the rule reports nothing",
    )
    min_records: int = Field(
        0,
        ge=0,
        description="ignore table lines found in fewer records than this (0: keep the table's "
        "own threshold)",
    )


class LearnedLine(Rule):
    slug = "boilerplate/learned-line"
    code = "BP006"
    severity = Severity.WARNING
    summary = "Body line recurs across many records of the same provider"
    needs = "body"
    fixable = True
    Options = LearnedLineOptions
    what = (
        "Reports a body line that, once normalised (case, bullets and spacing ignored), is in "
        'the learned-lines `table` for the record\'s provider domain, or in its "*" lines '
        "(learned from records without a provider). The table is learned from a corpus with "
        "rules.learned.learn_table: the short lines that occur in many records of one provider "
        "are its page frame. Only whole lines match. Without a `table` the rule reports "
        "nothing: it is inert until a table is configured."
    )
    why = (
        "Each publisher has its own chrome, in its own language; a line repeated across its "
        "records is frame, not article, and no phrase list can know them all."
    )
    bad = "(provider rferl.org; table learned from its records)\n\nThe Day In Photos\n\nShare"
    good = "(only the article's own lines)"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        assert isinstance(self.options, LearnedLineOptions)
        if self.options.table is None:
            return
        table = cached_table(self.options.table)
        provider = provider_domain(record)
        least = max(self.options.min_records, 1)
        for line, text in record.iter_body_lines():
            normalised = normalise_line(text)
            if not normalised:
                continue
            found = table.lookup(provider, normalised)
            if found is None or found[1] < least:
                continue
            key, count, records = found
            group = "records without a provider" if key == ANY_PROVIDER else f"{key} records"
            yield Problem(
                f"boilerplate line {shorten(text)!r} (learned tier: in {count} of {records} "
                f"{group})",
                line=line,
            )


RULES = (LearnedLine,)


def records_under(paths: Iterable[Path]) -> Iterator[Record]:
    """The readable records of the files under `paths`, one file at a time."""
    from validator.config import DEFAULT_INCLUDE
    from validator.discover import discover
    from validator.load import InputLimits, load_file

    limits = InputLimits()
    for item in discover(list(paths), Path.cwd().resolve(), list(DEFAULT_INCLUDE), []):
        if item.problem is None:
            for record in load_file(item.path, item.relative, limits).records:
                if record.readable:
                    yield record


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m rules.learned",
        description="Learn the lines that recur across records of the same provider.",
    )
    parser.add_argument("table", type=Path, help="the JSON table to write")
    parser.add_argument("paths", type=Path, nargs="+", help="record files or folders")
    parser.add_argument("--min-records", type=int, default=5, metavar="N")
    parser.add_argument("--max-lines", type=int, default=200_000, metavar="N")
    args = parser.parse_args(argv)
    table = learn_table(records_under(args.paths), args.min_records, max_lines=args.max_lines)
    save_table(table, args.table)
    for provider, entry in table.providers.items():
        print(f"{provider}: {len(entry.lines)} lines from {entry.records} records")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

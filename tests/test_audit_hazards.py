"""Hazards of the audit (`newslint report`): statistics, corpus rules, their placing, and the
history, on odd corpora and odd history files."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import rules.corpus
from rules.corpus import DuplicateUrl, NearDuplicateBody
from tests.helpers import VALID_BODY, fields, markdown
from validator.app import CheckOptions, prepare
from validator.audit import audit
from validator.corpus_phase import add_corpus_findings, corpus_rules
from validator.engine import run_check
from validator.history import _SCHEMA, History, provider_alerts
from validator.records import Record
from validator.rule import CheckContext
from validator.summary import RecordSummary, summarize

LONG_BODY = " ".join(
    f"Sentence {n} tells how the council debated the budget for schools and roads in detail."
    for n in range(12)
)


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "newslint.toml").write_text("")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run_audit(folder: Path, select: list[str] | None = None, history: Path | None = None) -> Any:
    options = CheckOptions(paths=[folder], select=select or [], use_cache=False, jobs=1)
    return audit(options, history)


def corpus_findings(result: Any, rule: str) -> list[Any]:
    return [f for f in result.run.result.findings if f.rule == rule]


def record_with(**data: Any) -> Record:
    return Record("a.md", 0, 1, "markdown", data=fields(**data), body=VALID_BODY)


def summary_of(path: str, **fields: Any) -> RecordSummary:
    empty: dict[str, Any] = dict.fromkeys(
        ("provider", "type", "month", "web_url", "original_url", "title_key", "published"),
    )
    values = {**empty, "body_hash": None, "sketch": (), "related": (), **fields}
    return RecordSummary(path, 0, 1, **values)


# Statistics


def test_month_comes_only_from_a_date_that_parses() -> None:
    """'2020-13-99' is no month: meta/unparseable-date reports it, and counting it would add
    a month 13 to the statistics and the HTML chart."""
    assert summarize(record_with(publishedDateTime="2020-13-99T00:00:00Z")).month is None
    assert summarize(record_with(publishedDateTime="2020-10-31T23:30:00-05:00")).month == (
        "2020-10"
    )


def test_provider_is_keyed_alike_whatever_its_case_spacing_or_www(tmp_path: Path) -> None:
    """' WWW.HRW.org ' and 'hrw.org' are one provider: split in two, each half's rate (and
    any alert on it) is wrong."""
    odd = {"name": "HRW", "domain": " WWW.HRW.org "}
    folder = write(
        tmp_path,
        {
            "a.md": markdown(fields(webUrl="https://hrw.org/a"), VALID_BODY),
            "b.md": markdown(fields(webUrl="https://hrw.org/b", provider=odd), VALID_BODY + "b"),
        },
    )
    stats = run_audit(folder, ["body"]).stats
    assert list(stats["by_provider"]) == ["hrw.org"]
    assert stats["by_provider"]["hrw.org"]["records"] == 2


def test_titles_without_words_are_not_duplicates(tmp_path: Path) -> None:
    """A title of punctuation only has no words to compare: two such titles are not 'the
    same title' (meta and schema rules judge the title itself)."""
    folder = write(
        tmp_path,
        {
            "a.md": markdown(fields(title="!!!", webUrl="https://hrw.org/a"), VALID_BODY),
            "b.md": markdown(fields(title="???", webUrl="https://hrw.org/b"), VALID_BODY + "b"),
        },
    )
    assert corpus_findings(run_audit(folder, ["corpus"]), "corpus/duplicate-title") == []


def test_unreadable_records_count_in_the_provider_type_and_month_totals(tmp_path: Path) -> None:
    """Every record counted in `records` is counted once in by_provider, records_by_type and
    by_month, so the tables add up to the total; a broken JSON line has no summary but is a
    record with findings, and its row must not show findings for zero records."""
    good = json.dumps(fields(webUrl="https://hrw.org/j", body=VALID_BODY))
    folder = write(tmp_path, {"j.jsonl": good + "\n{broken\n"})
    stats = run_audit(folder).stats
    assert stats["records"] == 2
    assert sum(row["records"] for row in stats["by_provider"].values()) == 2
    assert sum(stats["records_by_type"].values()) == 2
    assert sum(row["records"] for row in stats["by_month"].values()) == 2
    assert stats["by_provider"]["(no provider)"]["records"] == 1


# corpus/related-missing and corpus/duplicate-url


def test_related_item_found_whatever_its_query_order_fragment_scheme_or_slash(
    tmp_path: Path,
) -> None:
    """A related item written 'http://hrw.org/news/a/?y=2&x=1#top' is the record at
    'https://www.hrw.org/news/a?x=1&y=2': reporting it as missing is a false alarm."""
    related = [{"title": "A", "webUrl": "http://hrw.org/news/a/?y=2&x=1#top"}]
    folder = write(
        tmp_path,
        {
            "a.md": markdown(
                fields(webUrl="https://www.hrw.org/news/a?x=1&y=2", published=True), VALID_BODY
            ),
            "b.md": markdown(
                fields(webUrl="https://www.hrw.org/news/b", related=related), VALID_BODY + "b"
            ),
        },
    )
    assert corpus_findings(run_audit(folder, ["corpus"]), "corpus/related-missing") == []


def test_related_item_to_a_url_with_a_published_copy_passes(tmp_path: Path) -> None:
    """When two records share the related item's URL and one is published, the item reaches
    a published page: calling it 'not published' depends only on which copy was read last."""
    related = [{"title": "A", "webUrl": "https://www.hrw.org/news/a"}]
    url = "https://www.hrw.org/news/a"
    folder = write(
        tmp_path,
        {
            "a1.md": markdown(fields(webUrl=url, published=True), VALID_BODY),
            "a2.md": markdown(fields(webUrl=url, published=False), VALID_BODY + "2"),
            "b.md": markdown(
                fields(webUrl="https://www.hrw.org/news/b", related=related), VALID_BODY + "b"
            ),
        },
    )
    assert corpus_findings(run_audit(folder, ["corpus"]), "corpus/related-missing") == []


# corpus/near-duplicate-body


def test_near_duplicates_are_found_without_comparing_every_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bodies that share a footer share its smallest shingle hashes in their sketches: the
    candidate search must not pair every record with every other (quadratic: hours on 100k
    records), and must still find the real near-copy among them."""
    common = tuple(range(1, 31))  # the footer's values: in every sketch, and the smallest
    sketches = [
        tuple(sorted(common + tuple(10_000 + 100 * n + k for k in range(34)))) for n in range(1000)
    ]
    near_copy = tuple(sorted(common + tuple(10_000 + k for k in range(33)) + (99,)))
    sketches.append(near_copy)  # record 1000: a near-copy of record 0
    summaries = [
        summary_of(f"r{n}.md", body_hash=f"h{n}", sketch=sketch)
        for n, sketch in enumerate(sketches)
    ]
    compared = 0
    real = rules.corpus.estimated_similarity

    def counting(a: tuple[int, ...], b: tuple[int, ...]) -> float:
        nonlocal compared
        compared += 1
        assert compared <= 10 * len(sketches), "every pair is being compared"
        return real(a, b)

    monkeypatch.setattr(rules.corpus, "estimated_similarity", counting)
    started = time.monotonic()
    found = list(NearDuplicateBody().check_corpus(summaries, CheckContext()))
    assert sorted(problem.path for problem in found) == ["r0.md", "r1000.md"]
    assert time.monotonic() - started < 30


def test_near_duplicate_rule_names_the_copies_of_a_near_body(tmp_path: Path) -> None:
    """Identical copies are compared once, but each is still named as a near-duplicate."""
    changed = LONG_BODY.replace("Sentence 11 tells", "Sentence eleven reports")
    folder = write(
        tmp_path,
        {
            "a.md": markdown(fields(webUrl="https://hrw.org/a"), LONG_BODY),
            "b.md": markdown(fields(webUrl="https://hrw.org/b"), LONG_BODY),
            "c.md": markdown(fields(webUrl="https://hrw.org/c"), changed),
        },
    )
    found = corpus_findings(run_audit(folder, ["corpus"]), "corpus/near-duplicate-body")
    by_file = {Path(f.path).name: f.message for f in found}
    assert sorted(by_file) == ["a.md", "b.md", "c.md"]
    assert "a.md" in by_file["c.md"] and "b.md" in by_file["c.md"]


# Placing corpus findings


def test_body_findings_point_at_the_first_body_line(tmp_path: Path) -> None:
    """corpus/duplicate-body points at '/body': in a Markdown record that is the first line
    after the front matter, not the opening '---' on line 1."""
    folder = write(
        tmp_path,
        {
            "a.md": markdown(fields(webUrl="https://hrw.org/a"), LONG_BODY),
            "b.md": markdown(fields(webUrl="https://hrw.org/b"), LONG_BODY),
        },
    )
    (finding, _) = corpus_findings(run_audit(folder, ["corpus"]), "corpus/duplicate-body")
    lines = (folder / "a.md").read_text().split("\n")
    assert lines[finding.line - 1] == LONG_BODY
    assert lines[finding.line - 2] == "---"


def test_a_file_changed_since_its_check_keeps_each_finding_on_its_record(tmp_path: Path) -> None:
    """A file shortened between the check and the corpus phase no longer holds the record a
    corpus finding names: the finding keeps that record's line (from its summary), never
    another record's position, and nothing crashes."""
    url = "https://hrw.org/same"
    lines = [
        json.dumps(fields(webUrl=f"https://hrw.org/{n}" if n == 0 else url, body=f"B {n}"))
        for n in range(3)
    ]
    folder = write(tmp_path, {"a.jsonl": "".join(line + "\n" for line in lines)})
    options = CheckOptions(paths=[folder], select=["corpus/duplicate-url"], use_cache=False)
    request, _, _ = prepare(replace(options, summaries=True, jobs=1))
    result = run_check(request)
    (folder / "a.jsonl").write_text(lines[0] + "\n")
    add_corpus_findings(result, corpus_rules(request, online=False), request)
    found = sorted((f.record, f.line) for f in result.findings if f.rule.startswith("corpus/"))
    assert found == [(1, 2), (2, 3)]


# History


def test_a_damaged_history_file_is_noted_and_left_alone(tmp_path: Path) -> None:
    """A history that is not SQLite (damaged, or any other file given by mistake) must not
    stop the audit, and must not be overwritten: it is noted and not used."""
    folder = write(tmp_path / "c", {"a.md": markdown(fields(), VALID_BODY)})
    history = tmp_path / "h.sqlite"
    history.write_bytes(b"not a database at all\n" * 100)
    result = run_audit(folder, history=history)
    assert history.read_bytes() == b"not a database at all\n" * 100
    assert result.history_path is None and result.history == []
    assert any("history not used" in note for note in result.run.notes)


def test_another_programs_database_gets_no_tables_added(tmp_path: Path) -> None:
    """A SQLite file of another program named as the history by mistake keeps its own tables
    only: newslint neither adds its tables to it nor reads its 'runs' table as its own."""
    folder = write(tmp_path / "c", {"a.md": markdown(fields(), VALID_BODY)})
    history = tmp_path / "app.sqlite"
    db = sqlite3.connect(history)
    db.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, job TEXT)")
    db.execute("INSERT INTO runs (job) VALUES ('backup')")
    db.commit()
    db.close()
    result = run_audit(folder, history=history)
    tables = sqlite3.connect(history).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("runs",)]
    assert any("history not used" in note for note in result.run.notes)


def test_runs_of_another_corpus_or_version_are_not_this_runs_trend(tmp_path: Path) -> None:
    """One history file shared by two corpora (or two configurations, or two versions of
    newslint, whose rules differ) must not mix their counts: the 'previous run' and the
    alerts of one corpus come from its own earlier runs only."""
    history = tmp_path / "h.sqlite"
    first = write(tmp_path / "first", {"a.md": markdown(fields(), VALID_BODY)})
    second = write(tmp_path / "second", {"a.md": markdown(fields(), "")})
    run_audit(first, history=history)
    assert run_audit(second, history=history).history == []
    db = sqlite3.connect(history)
    db.execute("UPDATE runs SET version = '0.0.1'")
    db.commit()
    db.close()
    assert run_audit(first, history=history).history == []
    again = run_audit(first, history=history)
    assert len(again.history) == 1 and again.history[0]["records"] == 1


def test_a_history_from_before_scopes_is_upgraded_and_kept(tmp_path: Path) -> None:
    """A history written by an earlier release (no scope column) keeps its rows and takes
    new runs."""
    path = tmp_path / "h.sqlite"
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA)
    db.commit()
    db.close()
    history = History(path, "scope")
    stats = {
        "files": 1,
        "records": 1,
        "findings": 0,
        "clean_records": 1,
        "findings_by_severity": {},
        "findings_by_rule": {},
        "by_provider": {},
    }
    history.record(stats)
    assert len(history.runs()) == 1
    history.close()


def test_past_runs_with_a_handful_of_records_do_not_set_the_usual_rate() -> None:
    """A provider's past runs with one or two records give rates of 0 or 1: noise. Only runs
    with enough of its records tell its usual rate; otherwise no alert."""
    earlier = [
        {"by_provider": {"tiny.org": {"records": 1, "findings": 0}}},
        {"by_provider": {"tiny.org": {"records": 2, "findings": 0}}},
    ]
    now = {"by_provider": {"tiny.org": {"records": 10, "findings": 8}}}
    assert provider_alerts(now, earlier) == []


def test_per_path_overrides_apply_to_corpus_findings(tmp_path: Path) -> None:
    """An override that ignores a corpus rule for some paths (an archive of copies by
    design), or changes its severity there, holds for corpus findings as for any other:
    the corpus phase must not report them on files the configuration exempts."""
    url = "https://hrw.org/same"
    folder = write(
        tmp_path,
        {
            "a.md": markdown(fields(webUrl=url), VALID_BODY),
            "b.md": markdown(fields(webUrl=url), VALID_BODY + "b"),
        },
    )
    (folder / "archive").mkdir()
    (folder / "archive" / "c.md").write_text(markdown(fields(webUrl=url), VALID_BODY + "c"))
    (folder / "newslint.toml").write_text(
        '[[overrides]]\npaths = ["archive/**"]\nignore = ["corpus/duplicate-url"]\n'
        '[[overrides]]\npaths = ["b.md"]\nseverity = { "corpus/duplicate-url" = "info" }\n'
    )
    found = corpus_findings(run_audit(folder, ["corpus"]), "corpus/duplicate-url")
    assert sorted((Path(f.path).name, f.severity.value) for f in found) == [
        ("a.md", "error"),
        ("b.md", "info"),
    ]


def test_a_url_shared_by_thousands_of_records_is_reported_in_linear_time() -> None:
    """A placeholder URL shared by a large part of a corpus makes one big group of copies:
    each copy's message names five others and counts the rest, and building it must not
    walk the whole group once per copy (quadratic: hours on 100k records)."""
    copies = 20_000
    summaries = [summary_of(f"r{n}.md", web_url="https://example.org/") for n in range(copies)]
    started = time.monotonic()
    found = list(DuplicateUrl().check_corpus(summaries, CheckContext()))
    assert time.monotonic() - started < 10
    assert len(found) == copies
    assert found[0].message.endswith(f"r5.md and {copies - 6} more")
    assert "r0.md" not in found[0].message and "r0.md" in found[1].message


def test_a_body_copied_in_another_unicode_normalisation_is_a_duplicate(tmp_path: Path) -> None:
    """The same French text with accents composed (NFC) in one record and decomposed (NFD,
    as macOS file systems and some scrapers give it) in another is an obvious copy: its
    words must compare equal, for duplicate and near-duplicate bodies alike."""
    import unicodedata

    text = " ".join(
        f"La réunion numéro {n} a débattu du budget des écoles et des routes à Genève."
        for n in range(12)
    )
    composed, decomposed = (unicodedata.normalize(form, text) for form in ("NFC", "NFD"))
    folder = write(
        tmp_path,
        {
            "a.md": markdown(fields(webUrl="https://hrw.org/a"), composed),
            "b.md": markdown(fields(webUrl="https://hrw.org/b"), decomposed),
        },
    )
    found = corpus_findings(run_audit(folder, ["corpus"]), "corpus/duplicate-body")
    assert sorted(Path(f.path).name for f in found) == ["a.md", "b.md"]

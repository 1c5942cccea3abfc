"""boilerplate/learned-line and rules/learned.py: lines learned from a provider's records."""

from __future__ import annotations

import json

import pytest

from rules.learned import (
    LearnedTable,
    LearnedTableError,
    ProviderLines,
    learn_table,
    load_table,
    main,
    parse_table,
    save_table,
)
from tests.helpers import SEEDS, VALID_BODY, check_files, fields, findings_of, markdown
from validator.records import Record

RFERL = {"name": "Radio Free Europe/Radio Liberty", "domain": "www.rferl.org"}


def record(body: str, domain: str | None = None, index: int = 0) -> Record:
    data = {"provider": {"name": "P", "domain": domain}} if domain else {}
    return Record(f"r{index}.md", index, 1, "markdown", data=data, body=body)


def story(n: int, *frame: str) -> str:
    """A body with its own article text around the given frame lines."""
    return "\n".join([f"Article {n} begins with a line of its own.", *frame, f"It ends {n}."])


# --- learn_table -------------------------------------------------------------------------


def test_learn_counts_a_line_once_per_record_and_groups_by_provider():
    records = [
        record(story(n, "Share", "  • SHARE ", "The Day In Photos"), "rferl.org", n)
        for n in range(4)
    ]
    records += [record(story(n, "Share"), None, 10 + n) for n in range(3)]
    records.append(record(story(99, "The Day In Photos"), "www.hrw.org", 99))
    table = learn_table(records, min_records=3)
    assert table.providers["rferl.org"].records == 4
    assert table.providers["rferl.org"].lines == {"share": 4, "the day in photos": 4}
    assert table.providers["*"] == ProviderLines(3, {"share": 3})
    assert "hrw.org" not in table.providers  # one record: below min_records


def test_learn_skips_prose_long_lines_and_lines_without_letters():
    long_line = " ".join(["word"] * 13)
    frame = ["Subscribe", long_line, "2019", "* * *", "A" * 201]
    table = learn_table([record(story(n, *frame), "x.org", n) for n in range(5)], min_records=2)
    assert set(table.providers["x.org"].lines) == {"subscribe"}


def test_learn_sentences_need_a_share_of_the_records():
    stock = "He declined to comment on the case."
    records = [record(story(n, stock), "x.org", n) for n in range(3)]
    records += [record(story(n), "x.org", 10 + n) for n in range(7)]
    assert learn_table(records, min_records=3).providers == {}
    assert learn_table(records, min_records=3, sentence_share=0.3).providers["x.org"].lines == {
        "he declined to comment on the case.": 3
    }


def test_learn_memory_is_bounded_and_frequent_lines_survive():
    # 300 records, each with 20 unique lines and the same frame line; room for 50 counters.
    records = [
        record("\n".join(["Read Next", *(f"unique line {n} {k}" for k in range(20))]), "x.org", n)
        for n in range(300)
    ]
    table = learn_table(records, min_records=5, max_lines=50)
    lines = table.providers["x.org"].lines
    assert set(lines) == {"read next"}
    assert 300 - 300 * 21 / 51 <= lines["read next"] <= 300  # a lower bound, by at most N/(k+1)


def test_learn_refuses_a_nonsense_threshold():
    with pytest.raises(ValueError):
        learn_table([], min_records=0)


# --- the table file ----------------------------------------------------------------------


def test_save_and_load_round_trip(tmp_path):
    table = LearnedTable(
        3,
        {
            "rferl.org": ProviderLines(10, {"share": 9, "the day in photos": 7}),
            "*": ProviderLines(4, {"menu": 4}),
        },
    )
    path = tmp_path / "table.json"
    save_table(table, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "newslint-learned-lines"
    assert document["version"] == 1
    assert list(document["providers"]["rferl.org"]["lines"]) == ["share", "the day in photos"]
    assert load_table(path) == table


def test_hand_written_tables_are_normalised(tmp_path):
    document = {
        "format": "newslint-learned-lines",
        "version": 1,
        "min_records": 2,
        "providers": {
            "WWW.RFERL.ORG": {"records": 5, "lines": {"  • The Day In Photos:": 5, "": 5}}
        },
    }
    table = parse_table(document)
    assert table.providers == {"rferl.org": ProviderLines(5, {"the day in photos": 5})}


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("{", "not valid JSON"),
        ("[]", "not a learned-lines table"),
        ('{"format": "newslint-learned-lines", "version": 2}', "version 2 is not supported"),
        (
            '{"format": "newslint-learned-lines", "version": 1, "min_records": 0, "providers": {}}',
            "min_records",
        ),
        (
            '{"format": "newslint-learned-lines", "version": 1, "min_records": 2, "providers": []}',
            "providers",
        ),
        (
            '{"format": "newslint-learned-lines", "version": 1, "min_records": 2, '
            '"providers": {"x.org": {"records": 1, "lines": {"a": "many"}}}}',
            "must map lines to counts",
        ),
    ],
)
def test_bad_tables_are_refused_with_a_reason(tmp_path, content, error):
    path = tmp_path / "table.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LearnedTableError) as raised:
        load_table(path)
    assert str(path) in str(raised.value)
    assert error in str(raised.value)


def test_missing_table_is_refused(tmp_path):
    with pytest.raises(LearnedTableError, match="cannot read it"):
        load_table(tmp_path / "nowhere.json")


# --- boilerplate/learned-line ------------------------------------------------------------


def write_table(tmp_path, providers, min_records=3):
    path = tmp_path / "learned.json"
    save_table(
        LearnedTable(min_records, {k: ProviderLines(*v) for k, v in providers.items()}), path
    )
    return path


def learned_run(tmp_path, files, table=None, extra=""):
    config = f'[rules."boilerplate/learned-line"]\ntable = "{table}"\n{extra}' if table else ""
    run = check_files(tmp_path, files, select=["boilerplate/learned-line"], config=config)
    return findings_of(run, "boilerplate/learned-line")


def test_learned_line_without_a_table_reports_nothing(tmp_path):
    body = "The Day In Photos\n\n" + VALID_BODY
    assert learned_run(tmp_path, {"a.md": markdown(fields(provider=RFERL), body)}) == []


def test_learned_line_flags_the_providers_lines(tmp_path):
    table = write_table(tmp_path, {"rferl.org": (120, {"the day in photos": 100, "share": 57})})
    body = "The Day In Photos\n\n" + VALID_BODY + "\n  • Share\n"
    text = markdown(fields(provider=RFERL), body)
    found = learned_run(tmp_path, {"a.md": text}, table)
    lines = text.split("\n")
    assert [f.line for f in found] == [
        lines.index("The Day In Photos") + 1,
        lines.index("  • Share") + 1,
    ]
    assert found[0].message == (
        "boilerplate line 'The Day In Photos' (learned tier: in 100 of 120 rferl.org records)"
    )


def test_learned_line_other_providers_and_any_provider(tmp_path):
    table = write_table(
        tmp_path, {"rferl.org": (120, {"the day in photos": 100}), "*": (40, {"skip to main": 30})}
    )
    body = "The Day In Photos\n\nSkip to main\n\n" + VALID_BODY
    # hrw.org is not in the table: only the "*" lines apply to it.
    found = learned_run(tmp_path, {"a.md": markdown(fields(), body)}, table)
    assert [f.message.split("'")[1] for f in found] == ["Skip to main"]
    assert "(learned tier: in 30 of 40 records without a provider)" in found[0].message
    # A body-only record has no provider: the "*" lines.
    found = learned_run(tmp_path, {"b.txt": body}, table)
    assert [f.message.split("'")[1] for f in found] == ["Skip to main"]


def test_learned_line_never_flags_part_of_a_line(tmp_path):
    table = write_table(tmp_path, {"*": (40, {"share": 30})})
    body = "Share prices fell by 5 percent on Tuesday.\n\n" + VALID_BODY
    assert learned_run(tmp_path, {"a.txt": body}, table) == []


def test_learned_line_min_records_option(tmp_path):
    table = write_table(tmp_path, {"*": (40, {"share": 4, "menu": 30})})
    body = "Share\n\nMenu\n\n" + VALID_BODY
    assert len(learned_run(tmp_path, {"a.txt": body}, table)) == 2
    found = learned_run(tmp_path, {"a.txt": body}, table, "min-records = 10\n")
    assert [f.message.split("'")[1] for f in found] == ["Menu"]


def test_learned_line_json_body(tmp_path):
    table = write_table(tmp_path, {"rferl.org": (120, {"the day in photos": 100})})
    text = json.dumps(fields(provider=RFERL, body="The Day In Photos\n\n" + VALID_BODY), indent=2)
    (finding,) = learned_run(tmp_path, {"a.json": text}, table)
    assert finding.line == next(n for n, line in enumerate(text.split("\n"), 1) if '"body"' in line)


def test_learned_line_unreadable_table_is_a_rule_crash(tmp_path):
    run = check_files(
        tmp_path,
        {"a.txt": VALID_BODY},
        select=["boilerplate/learned-line"],
        config=f'[rules."boilerplate/learned-line"]\ntable = "{tmp_path / "nowhere.json"}"\n',
    )
    (crash,) = findings_of(run, "internal/rule-crash")
    assert "learned-lines table" in crash.message


def test_learned_line_leaves_seed_004_prose_alone(tmp_path):
    # A table learned from copies of the seed learns its frame; the article stays unflagged
    # once the seed's article lines are unique to it.
    seed = (SEEDS / "004_51557f49c6b96e4e.txt").read_text(encoding="utf-8")
    frame = [line for line in seed.split("\n") if line.strip() and len(line.split()) <= 4]
    table = learn_table([record(story(n, *frame), None, n) for n in range(5)], min_records=3)
    path = tmp_path / "learned.json"
    save_table(table, path)
    found = learned_run(tmp_path, {"004.txt": seed}, path)
    assert sorted(f.line for f in found) == [1, 3, 30]  # links, banner, '• 16x9 Image'


# --- python -m rules.learned -------------------------------------------------------------


def test_command_line_learns_from_files(tmp_path, capsys):
    folder = tmp_path / "records"
    folder.mkdir()
    for n in range(4):
        body = story(n, "The Day In Photos", "Share")
        (folder / f"{n}.md").write_text(markdown(fields(provider=RFERL), body), encoding="utf-8")
    (folder / "broken.md").write_text("---\ntitle: [\n---\nShare\n", encoding="utf-8")
    out = tmp_path / "table.json"
    assert main([str(out), str(folder), "--min-records", "3"]) == 0
    table = load_table(out)
    assert table.providers["rferl.org"].lines == {"the day in photos": 4, "share": 4}
    assert "rferl.org: 2 lines from 4 records" in capsys.readouterr().out


def test_learn_boilerplate_command_and_config_relative_table(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """`newslint learn-boilerplate` writes a table that the config names relative to itself."""
    from click.testing import CliRunner

    from validator.cli import cli

    corpus = tmp_path / "news"
    corpus.mkdir()
    for n in range(6):
        (corpus / f"r{n}.md").write_text(
            "---\ntitle: t\nprovider:\n  name: X\n  domain: x.org\n---\n"
            f"Skip to the X homepage\n\nArticle {n} says something new and different.\n"
        )
    monkeypatch.chdir(tmp_path)
    learned = CliRunner().invoke(
        cli, ["learn-boilerplate", "news", "-o", "lines.newslint.json", "--min-records", "3"]
    )
    assert learned.exit_code == 0, learned.output
    assert "x.org: 1 line(s) from 6 record(s)" in learned.stdout
    (tmp_path / "newslint.toml").write_text(
        '[rules."boilerplate/learned-line"]\ntable = "lines.newslint.json"\n'
    )
    monkeypatch.chdir(corpus)  # the table path is taken from the config's folder, not here
    checked = CliRunner().invoke(
        cli,
        ["check", "--no-cache", "--select", "boilerplate/learned-line", "--format", "json", "."],
    )
    import json

    findings = json.loads(checked.stdout)["findings"]
    assert len(findings) == 6 and all(f["line"] == 7 for f in findings)
    assert not any(f["path"].endswith(".newslint.json") for f in findings)

"""`newslint report`: outputs, statistics, history and trends, end to end."""

from __future__ import annotations

import json
import os
import random
import sqlite3
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from tests.helpers import REPO, fields, markdown
from validator.app import CheckOptions
from validator.audit import audit
from validator.history import History, provider_alerts

REPORT_SCHEMA = json.loads((REPO / "schemas" / "report.schema.json").read_text())


WORDS = [
    "council",
    "budget",
    "school",
    "road",
    "river",
    "bridge",
    "mayor",
    "vote",
    "market",
    "harbour",
    "festival",
    "weather",
    "museum",
    "library",
    "hospital",
    "railway",
    "election",
    "court",
    "police",
    "farm",
    "factory",
    "theatre",
    "stadium",
]


def unique_body(n: int) -> str:
    """A body no other n shares, so the corpus rules find no duplicates."""
    rng = random.Random(n)
    words = [rng.choice(WORDS) for _ in range(80)]
    return f"Report {n}: " + " ".join(words) + ".\n"


def corpus(folder: Path, bad: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "newslint.toml").write_text("")
    for n in range(6):
        data = fields(
            title=f"Story {n}",
            webUrl=f"https://www.hrw.org/news/{n}",
            publishedDateTime=f"2020-0{1 + n % 3}-02T04:30:00Z",
        )
        if n < bad:
            data["quality"] = "high"
        (folder / f"r{n}.md").write_text(markdown(data, unique_body(n)))
    other = fields(provider={"name": "Other", "domain": "other.org"}, webUrl="https://other.org/x")
    (folder / "other.md").write_text(markdown(other, ""))
    return folder


def invoke(folder: Path, *args: str) -> Result:
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(cli_main(), ["report", "--no-cache", *args])
    finally:
        os.chdir(cwd)


def cli_main():  # type: ignore[no-untyped-def]
    from validator.cli import cli

    return cli


def test_report_writes_json_and_markdown(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "c")
    result = invoke(folder, ".", "--json", "r.json", "--markdown", "r.md")
    assert result.exit_code == 0, result.output
    document = json.loads((folder / "r.json").read_text())
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(document)
    stats = document["stats"]
    assert stats["records"] == 7
    assert stats["by_provider"]["hrw.org"]["records"] == 6
    assert stats["by_provider"]["hrw.org"]["errors"] == 1
    assert stats["by_provider"]["other.org"]["findings"] == 1  # the empty body
    assert stats["clean_records"] == 5 and stats["clean_share"] == round(5 / 7, 4)
    assert set(stats["by_month"]) == {"2020-01", "2020-02", "2020-03", "2020-10"}
    assert stats["findings_by_family"] == {"body": 1, "schema": 1}
    md = (folder / "r.md").read_text()
    assert "# newslint report" in md and "71.4% clean" in md
    assert "| `schema/violation` | 1 |" in md
    assert "this is the first" in md
    assert "wrote r.json" in result.stdout


def test_history_keeps_runs_and_markdown_shows_the_change(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "c")
    invoke(folder, ".", "--history", "h.sqlite")
    (folder / "r5.md").write_text(markdown(fields(quality="x", heat="y"), unique_body(50)))
    result = invoke(folder, ".", "--history", "h.sqlite", "--markdown", "r.md", "--json", "r.json")
    assert "(2 runs)" in result.stdout
    rows = sqlite3.connect(folder / "h.sqlite").execute("SELECT findings FROM runs").fetchall()
    assert [r[0] for r in rows] == [2, 4]
    md = (folder / "r.md").read_text()
    assert "| findings | 4 | since the previous run (+2) |" in md
    assert len(json.loads((folder / "r.json").read_text())["history"]["runs"]) == 1


def test_default_history_lives_beside_the_config(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "c")
    invoke(folder, ".")
    assert (folder / ".newslint" / "history.sqlite").is_file()
    invoke(folder, ".", "--no-history")
    count = (
        sqlite3.connect(folder / ".newslint" / "history.sqlite")
        .execute("SELECT COUNT(*) FROM runs")
        .fetchone()
    )
    assert count == (1,)


def test_a_provider_whose_rate_jumps_is_called_out(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite")
    for _ in range(3):
        history.record(
            {
                "files": 10,
                "records": 10,
                "findings": 1,
                "clean_records": 9,
                "findings_by_severity": {"error": 1},
                "findings_by_rule": {"body/missing": 1},
                "by_provider": {"hrw.org": {"records": 10, "findings": 1}},
            }
        )
    earlier = history.runs()
    jump = {"by_provider": {"hrw.org": {"records": 10, "findings": 12}}}
    steady = {"by_provider": {"hrw.org": {"records": 10, "findings": 1}}}
    (alert,) = provider_alerts(jump, earlier)
    assert alert.provider == "hrw.org" and alert.rate == 1.2 and alert.usual == pytest.approx(0.1)
    assert provider_alerts(steady, earlier) == []
    history.close()


def test_progress_is_reported_for_every_file(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "c")
    calls: list[tuple[int, int]] = []
    audit(
        CheckOptions(paths=[folder], use_cache=False, jobs=1),
        None,
        lambda d, t: calls.append((d, t)),
    )
    assert calls[-1] == (7, 7)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_fail_on_makes_the_audit_a_gate(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "c")
    assert invoke(folder, ".", "--no-history").exit_code == 0
    assert invoke(folder, ".", "--no-history", "--fail-on", "error").exit_code == 1


@pytest.mark.skipif(
    not (REPO.parent / "shared" / "corpus" / "smartable").is_dir(),
    reason="../shared/corpus is absent",
)
def test_report_on_the_real_corpus(tmp_path: Path) -> None:
    corpus_dir = REPO.parent / "shared" / "corpus" / "smartable" / "_news"
    result = audit(CheckOptions(paths=[corpus_dir], use_cache=False), tmp_path / "h.sqlite")
    document = result.report()
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(document)
    assert document["stats"]["records"] == 192
    assert document["stats"]["by_provider"]["microsoft.com"]["records"] > 100


def test_an_alert_shows_a_provider_name_on_one_line() -> None:
    """A provider name is record text: a line break in it must not start a line of its own,
    which a CI log could run as a workflow command."""
    from validator.history import Alert

    message = Alert("evil.org\n::error::injected", 1.2, 0.1).message()
    assert "\n" not in message
    assert message.startswith("evil.org\\x0a::error::injected: 1.20 findings per record")

"""Baselines match findings by content, not by line: moved lines and unrelated edits keep
them; fixed findings are counted so the file can shrink; new findings still fail."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.helpers import VALID_BODY, fields, markdown
from validator.cli import cli


def invoke(folder: Path, *args: str) -> Result:
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(cwd)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "newslint.toml").write_text("")
    (tmp_path / "a.md").write_text(markdown(fields(quality="high"), VALID_BODY))
    (tmp_path / "b.md").write_text(markdown(fields(), "Advertisement\n\n" + VALID_BODY))
    result = invoke(tmp_path, "baseline", "--no-cache", ".", "-o", ".newslint-baseline.json")
    assert result.exit_code == 0, result.output
    assert "2 finding(s) of 2 file(s)" in result.stdout
    return tmp_path


def check(folder: Path) -> Result:
    return invoke(
        folder,
        "check",
        "--no-cache",
        "--baseline",
        ".newslint-baseline.json",
        "--format",
        "json",
        ".",
    )


def test_baseline_file_lists_fingerprints_without_lines(corpus: Path) -> None:
    document = json.loads((corpus / ".newslint-baseline.json").read_text())
    assert document["newslint_baseline"] == 1
    assert {e["rule"] for e in document["findings"]} == {"schema/violation", "boilerplate/phrase"}
    assert all("line" not in entry for entry in document["findings"])


def test_unchanged_corpus_passes_with_its_baseline(corpus: Path) -> None:
    result = check(corpus)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []
    assert "2 known finding(s) not reported; 0 baseline entries are fixed" in result.stderr


def test_moved_line_and_edited_unrelated_field_keep_matching(corpus: Path) -> None:
    (corpus / "a.md").write_text(
        markdown({"topics": ["Moved", "Up"], **fields(quality="high", title="A new title")})
    )
    (corpus / "b.md").write_text(markdown(fields(), "\n\n\nAdvertisement\n\n" + VALID_BODY))
    result = check(corpus)
    assert result.exit_code == 0, result.stdout
    assert "2 known finding(s) not reported" in result.stderr


def test_fixed_finding_is_counted_and_new_one_fails(corpus: Path) -> None:
    (corpus / "a.md").write_text(markdown(fields(quality=39, heat="hot"), VALID_BODY))
    result = check(corpus)
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["pointer"]) for f in findings] == [("schema/violation", "/heat")]
    assert "1 known finding(s) not reported; 1 baseline entry is fixed" in result.stderr
    assert "shrink" in result.stderr


def test_changed_offending_value_is_a_new_finding(corpus: Path) -> None:
    (corpus / "a.md").write_text(markdown(fields(quality="very high"), VALID_BODY))
    result = check(corpus)
    assert result.exit_code == 1
    assert "1 baseline entry is fixed" in result.stderr


def test_a_second_copy_of_a_known_problem_is_new(corpus: Path) -> None:
    (corpus / "b.md").write_text(
        markdown(fields(), "Advertisement\n\n" + VALID_BODY + "\nAdvertisement\n")
    )
    result = check(corpus)
    assert result.exit_code == 0  # boilerplate/phrase is a warning: reported, not failing
    findings = json.loads(result.stdout)["findings"]
    assert [f["rule"] for f in findings] == ["boilerplate/phrase"]


def test_not_a_baseline_is_a_usage_error(corpus: Path) -> None:
    (corpus / ".newslint-baseline.json").write_text('{"something": "else"}')
    result = check(corpus)
    assert result.exit_code == 2
    assert "not a newslint baseline" in result.stderr


@pytest.mark.parametrize(
    ("findings", "says"),
    [
        ('{"a": 1}', "'findings' must be a list"),
        ('[{"rule": "body/missing"}]', "findings[0] is not a baseline entry"),
        ('[{"fingerprint": "abc", "count": "many"}]', "findings[0] is not a baseline entry"),
        ('[{"fingerprint": "abc"}, {"fingerprint": "d", "count": 0}]', "findings[1] is not"),
        ('["abc"]', "findings[0] is not a baseline entry"),
    ],
)
def test_a_damaged_baseline_entry_is_a_usage_error_naming_it(
    corpus: Path, findings: str, says: str
) -> None:
    """A hand-edited or truncated baseline: exit 2 and which entry, never a traceback."""
    (corpus / ".newslint-baseline.json").write_text(
        f'{{"newslint_baseline": 1, "findings": {findings}}}'
    )
    result = check(corpus)
    assert result.exit_code == 2, result.output
    assert says in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_broken_baseline_fails_before_the_check_runs(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long check is not run only to be thrown away for a baseline that cannot be used."""
    import validator.cli as cli_module

    (corpus / ".newslint-baseline.json").write_text('{"newslint_baseline": 1, "findings": [')
    monkeypatch.setattr(cli_module, "_run", lambda options: pytest.fail("checked first"))
    result = check(corpus)
    assert result.exit_code == 2
    assert "invalid JSON" in result.stderr

"""End to end through the command line: `newslint check|rules|explain`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.helpers import REPO, VALID_BODY, markdown
from validator.cli import cli
from validator.registry import default_registry

SEED_000 = "seeds/000_00413085105cbbc0.txt"
SEED_004 = "seeds/004_51557f49c6b96e4e.txt"


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("NEWSLINT_SECURED_KEY", raising=False)
    return REPO


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def finding_lines(output: str) -> list[tuple[str, int, str]]:
    found = []
    for line in output.splitlines():
        match = re.match(r"^(.+?):(\d+):\d+: \w+ \[(\S+) \w+\]", line)
        if match:
            found.append((match.group(1), int(match.group(2)), match.group(3)))
    return found


def write_records(folder: Path, config: str = "") -> None:
    (folder / "newslint.toml").write_text(config, encoding="utf-8")
    (folder / "empty.md").write_text(markdown(body="\n"), encoding="utf-8")
    (folder / "scraped.txt").write_text("Accessibility links\n\n" + VALID_BODY, encoding="utf-8")


# --- check on the seeds -------------------------------------------------------------------


def test_check_seeds(in_repo: Path) -> None:
    result = invoke("check", "seeds/")
    assert result.exit_code == 1
    found = finding_lines(result.stdout)
    assert (SEED_000, 42, "body/missing") in found
    assert (SEED_004, 1, "input/no-front-matter") in found
    assert (SEED_004, 1, "boilerplate/phrase") in found
    assert (SEED_004, 3, "boilerplate/phrase") in found
    assert (SEED_004, 8, "boilerplate/repeated-caption") in found
    assert (
        result.stdout.splitlines()[-1]
        == "7 findings (1 error, 6 warnings, 0 infos) in 2 files, 2 records"
    )


def test_real_newslint_process(in_repo: Path) -> None:
    executable = Path(sys.executable).with_name("newslint")
    command = [str(executable)] if executable.exists() else [shutil.which("newslint") or "newslint"]
    completed = subprocess.run(
        [*command, "check", "seeds/", "--format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    findings = {(f["path"], f["line"], f["rule"]) for f in report["findings"]}
    assert (SEED_000, 42, "body/missing") in findings
    assert (SEED_004, 1, "input/no-front-matter") in findings
    assert sorted(f["path"] for f in report["files"]) == [SEED_000, SEED_004]


def test_json_output_file(in_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = invoke("check", "seeds/", "--format", "json", "-o", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["summary"]["findings"] == 7
    assert report["summary"]["exit_code"] == 1
    assert str(out) in result.stderr


def test_text_output_file_prints_summary_to_stderr(in_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    result = invoke("check", "seeds/", "-o", str(out))
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith(SEED_000 + ":42:1: error")
    assert result.stderr.strip().startswith("7 findings (1 error")
    assert "\x1b[" not in out.read_text(encoding="utf-8")


def test_json_output_file_prints_summary_to_stderr(in_repo: Path, tmp_path: Path) -> None:
    result = invoke("check", "seeds/", "--format", "json", "-o", str(tmp_path / "r.json"))
    assert "7 findings (1 error, 6 warnings" in result.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_every_format_runs(in_repo: Path, fmt: str) -> None:
    result = invoke("check", "seeds/", "--format", fmt)
    assert result.exit_code == 1
    assert "seeds/000_00413085105cbbc0.txt" in result.stdout


# --- selection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--select", "body"], {"body/missing"}),
        (["--select", "BD001"], {"body/missing"}),
        (["--select", "input/no-front-matter"], {"input/no-front-matter"}),
        (["--select", "body,input"], {"body/missing", "input/no-front-matter"}),
        (["--select", "body", "--select", "IN006"], {"body/missing", "input/no-front-matter"}),
        (["--ignore", "boilerplate"], {"body/missing", "input/no-front-matter"}),
        (["--ignore", "boilerplate/phrase,BP002,input"], {"body/missing"}),
        (["--select", "boilerplate", "--ignore", "BP001"], {"boilerplate/repeated-caption"}),
    ],
)
def test_select_and_ignore(in_repo: Path, args: list[str], expected: set[str]) -> None:
    result = invoke("check", "seeds/", *args, "--fail-on", "never")
    assert result.exit_code == 0
    assert {rule for _, _, rule in finding_lines(result.stdout)} == expected


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_rule_is_a_usage_error(in_repo: Path, option: str) -> None:
    result = invoke("check", "seeds/", option, "body/nope")
    assert result.exit_code == 2
    assert "'body/nope' names no rule" in result.stderr
    assert result.stdout == ""


# --- exit codes ---------------------------------------------------------------------------


def test_fail_on_never_exits_zero(in_repo: Path) -> None:
    result = invoke("check", "seeds/", "--fail-on", "never")
    assert result.exit_code == 0
    assert "body/missing" in result.stdout


def test_warnings_only(in_repo: Path) -> None:
    assert invoke("check", SEED_004).exit_code == 0
    assert invoke("check", SEED_004, "--fail-on", "warning").exit_code == 1
    assert invoke("check", SEED_004, "--fail-on", "info").exit_code == 1
    assert invoke("check", SEED_004, "--fail-on", "error").exit_code == 0


def test_fail_on_from_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newslint.toml").write_text('fail-on = "warning"\n', encoding="utf-8")
    (tmp_path / "scraped.txt").write_text("Accessibility links\n\n" + VALID_BODY, encoding="utf-8")
    assert invoke("check", "scraped.txt").exit_code == 1
    assert invoke("check", "scraped.txt", "--fail-on", "error").exit_code == 0


def test_clean_folder_exits_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newslint.toml").write_text("", encoding="utf-8")
    (tmp_path / "a.md").write_text(markdown(), encoding="utf-8")
    result = invoke("check")
    assert result.exit_code == 0
    assert result.stdout == "0 findings (0 errors, 0 warnings, 0 infos) in 1 file, 1 record\n"


def test_invalid_fail_on_value(in_repo: Path) -> None:
    result = invoke("check", "seeds/", "--fail-on", "sometimes")
    assert result.exit_code == 2


# --- configuration errors -----------------------------------------------------------------


def test_bad_config_key_exits_2_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_records(tmp_path, 'selectt = ["body"]\n')
    result = invoke("check", ".")
    assert result.exit_code == 2
    assert "newslint.selectt" in result.stderr
    assert "newslint.toml" in result.stderr


def test_bad_pyproject_key_exits_2_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.newslint]\nselectt = ["body"]\n', encoding="utf-8"
    )
    (tmp_path / "a.md").write_text(markdown(), encoding="utf-8")
    result = invoke("check", "a.md")
    assert result.exit_code == 2
    assert "tool.newslint.selectt" in result.stderr


def test_explicit_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_records(tmp_path)
    (tmp_path / "other.toml").write_text('select = ["input"]\n', encoding="utf-8")
    result = invoke("check", ".", "--config", "other.toml", "--fail-on", "never")
    assert {rule for _, _, rule in finding_lines(result.stdout)} == {"input/no-front-matter"}
    missing = invoke("check", ".", "--config", "nope.toml")
    assert missing.exit_code == 2
    assert "nope.toml" in missing.stderr


# --- rules and explain --------------------------------------------------------------------


def test_rules_lists_every_slug() -> None:
    result = invoke("rules")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    registry = default_registry()
    assert listed == list(registry.rules)
    for line in result.stdout.splitlines():
        slug, code, severity = line.split()[:3]
        assert registry.rules[slug].code == code
        assert registry.rules[slug].severity.value == severity


def test_explain_prints_the_card() -> None:
    result = invoke("explain", "body/missing")
    assert result.exit_code == 0
    card = result.stdout
    assert card.startswith("# body/missing (BD001)")
    positions = [
        card.index(h)
        for h in ("## What it checks", "## Why it matters", "## Example", "## Use instead")
    ]
    assert positions == sorted(positions)
    assert "Default severity: error" in card


def test_explain_by_code_and_options() -> None:
    by_code = invoke("explain", "bd002")
    assert by_code.exit_code == 0
    assert by_code.stdout.startswith("# body/too-short (BD002)")
    assert "## Options" in by_code.stdout
    assert "`min-words` (default 50)" in by_code.stdout


def test_explain_unknown_rule() -> None:
    result = invoke("explain", "body/nope")
    assert result.exit_code == 2
    assert "no rule 'body/nope'" in result.stderr


def test_help_shows_examples() -> None:
    for args in (["--help"], ["check", "--help"]):
        result = invoke(*args)
        assert result.exit_code == 0
        assert "Examples:" in result.stdout
        assert "newslint check seeds/" in result.stdout
        assert "newslint explain body/missing" in result.stdout


def test_version() -> None:
    from validator import __version__

    result = invoke("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_a_report_is_written_into_a_folder_made_for_it(in_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "ci" / "newslint.sarif"
    result = invoke("check", "seeds/", "--format", "sarif", "-o", str(out))
    assert result.exit_code == 1
    assert json.loads(out.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_a_report_path_that_cannot_be_written_is_a_usage_error(
    in_repo: Path, tmp_path: Path
) -> None:
    """Exit 2 naming the path, not a traceback with exit 1, which CI would read as findings."""
    (tmp_path / "taken").write_text("a file where a folder is wanted", encoding="utf-8")
    for command in (["check", "seeds/", "-o"], ["baseline", "seeds/", "-o"]):
        result = invoke(*command, str(tmp_path / "taken" / "report.json"))
        assert result.exit_code == 2, result.output
        assert "taken/report.json" in result.stderr
    result = invoke(
        "report", "seeds/", "--no-history", "--json", str(tmp_path / "taken" / "r.json")
    )
    assert result.exit_code == 2
    assert "taken/r.json" in result.stderr


def test_a_folder_with_no_record_files_says_nothing_was_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typo in include, or the wrong folder, must not pass a CI gate in silence."""
    (tmp_path / "newslint.toml").write_text('include = ["*.mdx"]\n', encoding="utf-8")
    (tmp_path / "a.md").write_text(markdown(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("check", ".")
    assert result.exit_code == 0
    assert "no record files found in .: nothing was checked" in result.stderr
    assert "*.mdx" in result.stderr


def test_force_exclude_applies_the_exclude_globs_to_named_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pre-commit names every staged file: README.md in docs/ must not be checked as a news
    record when the configuration excludes docs/, yet a file named without the flag is."""
    (tmp_path / "newslint.toml").write_text('exclude = ["docs/**"]\n', encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_text("# Contributing\n", encoding="utf-8")
    (tmp_path / "a.md").write_text(markdown(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    forced = invoke("check", "--force-exclude", "--format", "json", "a.md", "docs/README.md")
    assert forced.exit_code == 0, forced.output
    assert [f["path"] for f in json.loads(forced.stdout)["files"]] == ["a.md"]
    named = invoke("check", "--format", "json", "a.md", "docs/README.md")
    assert "docs/README.md" in [f["path"] for f in json.loads(named.stdout)["files"]]

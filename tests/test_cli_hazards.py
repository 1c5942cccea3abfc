"""The command line's promises to a user: help, messages, exit codes, refused conflicts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.helpers import REPO
from validator import cli as cli_module
from validator.app import CheckOptions, CheckRun
from validator.cli import cli
from validator.registry import default_registry

COMMANDS = ("check", "baseline", "report", "rules", "explain", "learn-boilerplate")


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("NEWSLINT_NO_REPLAY", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    return REPO


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["newslint", *args])
    return cli_module.main()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_examples_and_exit_codes(command: str) -> None:
    """A user reads `newslint CMD --help` to learn how to call CMD and what its exit code
    means (for a CI step): every command shows its own examples and an exit-status line."""
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert f"newslint {command}" in result.stdout.split("Examples:", 1)[1]
    assert "Exit status:" in result.stdout


def test_every_command_has_a_one_line_purpose() -> None:
    """`newslint --help` lists each command with a purpose that is not cut off by '...'."""
    result = invoke("--help")
    commands = result.stdout.split("Commands:", 1)[1]
    assert "..." not in commands, commands


def test_a_crash_of_newslint_is_not_exit_1(
    in_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug in newslint must never exit 1, which CI reads as 'findings': it exits 2 and
    says it is a bug to report, not a problem in the records."""

    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_module, "check", broken)
    assert run_main(monkeypatch, "check", "seeds/") == 2
    err = capsys.readouterr().err
    assert "internal error" in err and "boom" in err and "bug" in err


def test_an_interrupt_is_not_exit_1(
    in_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C must not exit 1 ('findings'): it exits 130, as shells expect of SIGINT."""

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "check", interrupted)
    assert run_main(monkeypatch, "check", "seeds/") == 130
    assert "interrupted" in capsys.readouterr().err


def test_main_keeps_usage_errors_and_help_codes(
    in_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The entry point still exits 2 on a usage error, 0 for --help/--version, and passes
    the check's own exit code through."""
    assert run_main(monkeypatch, "check", "--fail-on", "bogus") == 2
    assert "Invalid value for '--fail-on'" in capsys.readouterr().err
    assert run_main(monkeypatch, "--version") == 0
    assert run_main(monkeypatch, "rules", "--help") == 0
    assert run_main(monkeypatch, "check", "seeds/") == 1
    assert run_main(monkeypatch, "rules") == 0


@pytest.mark.parametrize("target", ["sub/dir/table.json", "missing-parent"])
def test_learn_boilerplate_output_is_made_or_refused_clearly(
    in_repo: Path, tmp_path: Path, target: str
) -> None:
    """learn-boilerplate -o into a new folder makes it (as check -o does); a path that
    cannot be written is a usage error naming it, never a traceback with exit 1."""
    if target == "missing-parent":
        blocker = tmp_path / "file"
        blocker.write_text("", encoding="utf-8")
        output = blocker / "table.json"  # a folder inside a regular file: cannot exist
        result = CliRunner().invoke(cli, ["learn-boilerplate", "seeds/", "-o", str(output)])
        assert result.exit_code == 2, result.output
        assert str(output.parent) in result.stderr or str(output) in result.stderr
    else:
        output = tmp_path / target
        result = invoke("learn-boilerplate", "seeds/", "-o", str(output))
        assert result.exit_code == 0, result.output
        assert output.is_file()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["check", "--ray-address", "head:6379", "seeds/"], "--ray-address"),
        (["baseline", "--ray-address", "head:6379", "seeds/"], "--ray-address"),
        (["check", "--image-dir", "seeds", "seeds/"], "--image-dir"),
        (["report", "--history", "h.sqlite", "--no-history", "seeds/"], "--no-history"),
        (["report", "--quiet", "--progress", "seeds/"], "--progress"),
    ],
)
def test_options_that_do_nothing_together_are_refused(
    in_repo: Path, args: list[str], named: str
) -> None:
    """An option that the others make meaningless (an address for a local run, an image
    folder without --online, a history file with --no-history, a progress bar with
    --quiet) is a usage error naming it, not silently ignored."""
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert named in result.stderr


def test_unknown_rule_suggests_close_names() -> None:
    """A misspelt slug or code gets the close names, so the user need not scan the list."""
    result = invoke("explain", "body/mising")
    assert result.exit_code == 2
    assert "body/missing" in result.stderr
    assert "newslint rules" in result.stderr
    by_code = invoke("explain", "BD0001")
    assert by_code.exit_code == 2
    assert "BD001" in by_code.stderr


def test_rules_with_a_slug_prints_its_card() -> None:
    """`newslint rules SLUG` works for every rule (slug or code), as `explain` does; an
    unknown one is the same clear usage error."""
    registry = default_registry()
    for slug, rule in registry.rules.items():
        by_slug = invoke("rules", slug)
        assert by_slug.exit_code == 0, slug
        assert by_slug.stdout == rule.card()
        assert invoke("explain", rule.code).stdout == rule.card()
    unknown = invoke("rules", "nope/nope")
    assert unknown.exit_code == 2
    assert "no rule 'nope/nope'" in unknown.stderr


def test_baseline_of_a_run_with_a_crash_is_not_written(
    in_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A baseline taken while a rule crashed (or a file timed out) misses findings and
    would hide the crash itself: it is not written, and the exit status is 2, not 0."""
    real_check = cli_module.check

    def crashed_check(options: CheckOptions) -> CheckRun:
        run = real_check(options)
        run.result.crashed = True
        return run

    monkeypatch.setattr(cli_module, "check", crashed_check)
    output = tmp_path / "baseline.json"
    result = invoke("baseline", "seeds/", "--no-cache", "-o", str(output))
    assert result.exit_code == 2, result.output
    assert not output.exists()
    assert "not written" in result.stderr

"""--fix and --diff: exactly the flagged lines go, atomically, idempotently, byte for byte."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import SEEDS, VALID_BODY, fields, markdown
from validator import fix as fix_module
from validator.cli import cli

CHROME_BODY = (
    "Accessibility links\n"
    "\n"
    "Breaking News\n"
    "\n"
    "The council approved the budget on Monday after a long debate about the schools.\n"
    "\n"
    "Advertisement\n"
    "\n"
    "Members will vote again in spring, when the next figures are known.\n"
    "\n"
    "  • 16x9 Image\n"
)
CLEAN_BODY = (
    "The council approved the budget on Monday after a long debate about the schools.\n"
    "\n"
    "Members will vote again in spring, when the next figures are known.\n"
)


def run_cli(folder: Path, *args: str) -> tuple[int, str, str]:
    (folder / "newslint.toml").write_text('select = ["boilerplate", "input"]\n')
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        result = runner.invoke(cli, ["check", *args, "."])
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout, result.stderr


def test_fix_removes_flagged_lines_and_keeps_the_front_matter_byte_exact(tmp_path: Path) -> None:
    text = markdown(fields(), CHROME_BODY)
    record = tmp_path / "a.md"
    record.write_text(text, encoding="utf-8")
    code, _, err = run_cli(tmp_path, "--fix")
    fixed = record.read_text(encoding="utf-8")
    front = text[: text.index("---\n", 4) + 4]
    assert fixed == front + CLEAN_BODY
    assert "fixed: removed 8 lines in 1 file" in err
    assert code == 0  # nothing left at or above error


def test_fix_is_idempotent(tmp_path: Path) -> None:
    record = tmp_path / "a.md"
    record.write_text(markdown(fields(), CHROME_BODY), encoding="utf-8")
    run_cli(tmp_path, "--fix")
    once = record.read_bytes()
    _, _, err = run_cli(tmp_path, "--fix")
    assert record.read_bytes() == once
    assert "fixed: removed 0 lines in 0 files" in err


def test_fix_keeps_crlf_line_endings_and_permissions(tmp_path: Path) -> None:
    record = tmp_path / "a.md"
    record.write_bytes(markdown(fields(), CHROME_BODY).replace("\n", "\r\n").encode())
    os.chmod(record, 0o640)
    run_cli(tmp_path, "--fix")
    data = record.read_bytes()
    assert data.endswith(CLEAN_BODY.replace("\n", "\r\n").encode())
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert stat.S_IMODE(record.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if "newslint-tmp" in p.name] == []


def test_diff_shows_the_change_and_writes_nothing(tmp_path: Path) -> None:
    record = tmp_path / "a.md"
    original = markdown(fields(), CHROME_BODY)
    record.write_text(original, encoding="utf-8")
    code, out, err = run_cli(tmp_path, "--diff")
    assert code == 1
    assert "-Accessibility links\n" in out and "-  • 16x9 Image\n" in out
    assert "+" not in [line[:1] for line in out.splitlines() if not line.startswith("+++")]
    assert "--fix would remove 8 lines in 1 file" in err
    assert record.read_text(encoding="utf-8") == original


def test_diff_on_clean_files_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(markdown(fields(), VALID_BODY), encoding="utf-8")
    code, out, _ = run_cli(tmp_path, "--diff")
    assert (code, out) == (0, "")


def test_fix_leaves_json_records_alone_and_says_so(tmp_path: Path) -> None:
    import json

    record = tmp_path / "a.json"
    original = json.dumps({**fields(), "body": CHROME_BODY})
    record.write_text(original, encoding="utf-8")
    _, _, err = run_cli(tmp_path, "--fix")
    assert record.read_text(encoding="utf-8") == original
    assert "JSON bodies are not fixed automatically" in err


def test_failure_between_write_and_rename_leaves_the_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = tmp_path / "a.md"
    original = markdown(fields(), CHROME_BODY)
    record.write_text(original, encoding="utf-8")

    def broken_replace(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fix_module.os, "replace", broken_replace)
    _, _, err = run_cli(tmp_path, "--fix")
    assert record.read_text(encoding="utf-8") == original
    assert "not fixed" in err
    assert [p.name for p in tmp_path.iterdir() if "newslint-tmp" in p.name] == []


def test_a_file_changed_during_the_fix_is_not_overwritten(tmp_path: Path) -> None:
    record = tmp_path / "a.md"
    record.write_text(markdown(fields(), CHROME_BODY), encoding="utf-8")
    with pytest.raises(fix_module.FixConflict):
        fix_module.write_atomically(record, b"new", expected=b"what was read before")
    assert record.read_text(encoding="utf-8") == markdown(fields(), CHROME_BODY)


@pytest.mark.parametrize(
    ("flagged", "expected"),
    [
        ({1, 3}, [1, 2, 3, 4]),  # leading chrome and the blanks after it
        ({7}, [7, 8]),  # between two paragraphs: one blank line is kept
        ({11}, [10, 11]),  # trailing chrome and the blank before it
        (set(), []),
    ],
)
def test_lines_to_remove(flagged: set[int], expected: list[int]) -> None:
    lines = [line.encode() for line in CHROME_BODY.splitlines(keepends=True)]
    assert fix_module.lines_to_remove(lines, flagged, 1) == expected


def test_seed_004_is_cleaned_to_its_article(tmp_path: Path) -> None:
    record = tmp_path / "004.txt"
    record.write_bytes((SEEDS / "004_51557f49c6b96e4e.txt").read_bytes())
    run_cli(tmp_path, "--fix")
    cleaned = record.read_text(encoding="utf-8")
    for chrome in ("Accessibility links", "Breaking News", "16x9 Image", "RFE/RL journalists"):
        assert chrome not in cleaned
    article = (SEEDS / "004_51557f49c6b96e4e.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in article.split("\n") if len(p.split()) > 15 and "RFE/RL" not in p]
    assert len(paragraphs) == 10
    assert all(paragraph in cleaned for paragraph in paragraphs)
    assert cleaned.rstrip().endswith("expected to be fully operational by September.")
    assert "\n\n\n" not in cleaned


def test_concurrent_fixes_of_the_same_files_never_corrupt_them(tmp_path: Path) -> None:
    """Two `newslint check --fix` processes on the same folder at once: each file ends up
    either untouched or correctly fixed, never half-written or doubly cut."""
    import subprocess
    import sys

    (tmp_path / "newslint.toml").write_text('select = ["boilerplate"]\n')
    original = markdown(fields(), CHROME_BODY)
    for n in range(30):
        (tmp_path / f"r{n:02}.md").write_text(original, encoding="utf-8")
    command = [sys.executable, "-m", "validator", "check", "--no-cache", "-j", "1", "--fix", "."]
    runs = [
        subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for process in runs:
        process.wait(timeout=120)
    fixed = original[: original.index("---\n", 4) + 4] + CLEAN_BODY
    for n in range(30):
        assert (tmp_path / f"r{n:02}.md").read_text(encoding="utf-8") in (original, fixed)
    assert [p.name for p in tmp_path.iterdir() if "newslint-tmp" in p.name] == []
    again = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert all(
        (tmp_path / f"r{n:02}.md").read_text(encoding="utf-8") == fixed for n in range(30)
    ), again.stderr


def test_a_file_changed_between_check_and_fix_is_left_alone(tmp_path: Path) -> None:
    """The findings' line numbers belong to the bytes that were checked: if another process
    fixed (or edited) the file meanwhile, cutting those lines would cut the article."""
    from tests.helpers import check_files

    record = tmp_path / "a.md"
    run = check_files(tmp_path, {"a.md": markdown(fields(), CHROME_BODY)}, select=["boilerplate"])
    edited = markdown(fields(), CLEAN_BODY)
    record.write_text(edited, encoding="utf-8")  # e.g. another --fix finished first
    outcome = fix_module.plan_fixes(run.result, run.registry)
    assert outcome.plans == []
    assert any("changed since it was checked" in reason for reason in outcome.skipped)
    assert record.read_text(encoding="utf-8") == edited


@pytest.mark.parametrize("flag", ["--fix", "--diff"])
def test_with_no_cache_a_file_changed_after_its_check_is_still_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: str
) -> None:
    """--no-cache drops the files' SHA-256 only when nothing needs it: --fix and --diff
    still compare it, so an edit made after the check is never cut by stale line numbers."""
    from validator import cli as cli_module

    record = tmp_path / "a.md"
    record.write_text(markdown(fields(), CHROME_BODY), encoding="utf-8")
    edited = markdown(fields(), CLEAN_BODY)
    real_run = cli_module._run

    def check_then_edit(options):  # type: ignore[no-untyped-def]
        run = real_run(options)
        record.write_text(edited, encoding="utf-8")  # another process, just after the check
        return run

    monkeypatch.setattr(cli_module, "_run", check_then_edit)
    _, _, stderr = run_cli(tmp_path, flag, "--no-cache")
    assert "changed since it was checked" in stderr
    assert record.read_text(encoding="utf-8") == edited

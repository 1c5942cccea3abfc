"""Text output: `path:line:col: severity [rule CODE] message`, a summary line, colour only on a TTY."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

import validator.cli as cli_module
from tests.helpers import REPO, VALID_BODY, check_files, markdown

ANSI = re.compile(r"\x1b\[")
LINE = re.compile(
    r"^(.+):(\d+):(\d+): (error|warning|info) \[([a-z-]+/[a-z-]+) ([A-Z]{2,4}\d{3})\] .+$"
)


def test_lines_and_summary(tmp_path: Path) -> None:
    text = markdown(body="\n")
    run = check_files(tmp_path, {"a.md": text, "b.txt": "Accessibility links\n\n" + VALID_BODY})
    output = run.render("text")
    assert output.endswith("\n")
    lines = output.splitlines()
    assert all(LINE.match(line) for line in lines[:-1]), lines
    assert len(lines) - 1 == len(run.result.findings)
    assert lines[-1] == "3 findings (1 error, 2 warnings, 0 infos) in 2 files, 2 records"
    first = LINE.match(lines[0])
    assert first.group(1).endswith("a.md")
    assert int(first.group(2)) == text.split("\n").index("---", 1) + 2
    assert first.group(5, 6) == ("body/missing", "BD001")


def test_clean_summary_is_singular(tmp_path: Path) -> None:
    output = check_files(tmp_path, {"a.md": markdown()}).render("text")
    assert output == "0 findings (0 errors, 0 warnings, 0 infos) in 1 file, 1 record\n"


def test_no_ansi_without_colour(tmp_path: Path) -> None:
    run = check_files(tmp_path, {"a.md": markdown(body="\n")})
    assert not ANSI.search(run.render("text"))
    assert ANSI.search(run.render("text", color=True))
    coloured = run.render("text", color=True).splitlines()
    assert not ANSI.search(coloured[-1])  # the summary stays plain


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_module.sys, "stdout", FakeTTY())
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli_module._use_color(None) is True
    assert cli_module._use_color(Path("report.txt")) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert cli_module._use_color(None) is False
    monkeypatch.setattr(cli_module.sys, "stdout", io.StringIO())
    monkeypatch.delenv("NO_COLOR")
    assert cli_module._use_color(None) is False


def test_real_process_piped_has_no_ansi() -> None:
    env_python = Path(sys.executable)
    completed = subprocess.run(
        [str(env_python), "-m", "validator", "check", "seeds/"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "TERM": "xterm-256color"},
    )
    assert completed.returncode == 1, completed.stderr
    assert not ANSI.search(completed.stdout)
    assert completed.stdout.splitlines()[-1].startswith("7 findings (1 error, 6 warnings")

"""A third-party package adds rules by declaring a `newslint.rules` entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import fields, markdown

pytestmark = pytest.mark.slow

PLUGIN_RULE = """
from validator.findings import Problem, Severity
from validator.rule import Rule


class Clickbait(Rule):
    slug = "{slug}"
    code = "{code}"
    severity = Severity.WARNING
    summary = "Title reads like clickbait"
    what = "Reports titles ending in '!!!'."
    why = "Readers distrust them."
    bad = "title: You will not believe this!!!"
    good = "title: Council approves budget"

    def check(self, record, context):
        title = record.get("title")
        if isinstance(title, str) and title.endswith("!!!"):
            yield Problem("title ends with '!!!'", pointer="/title")


RULES = (Clickbait,)
"""


def _make_plugin(root: Path, name: str, slug: str, code: str) -> Path:
    package = root / name
    module = name.replace("-", "_")
    (package / module).mkdir(parents=True)
    (package / module / "__init__.py").write_text(PLUGIN_RULE.format(slug=slug, code=code))
    (package / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [build-system]
            requires = ["hatchling"]
            build-backend = "hatchling.build"

            [project]
            name = "{name}"
            version = "1.0"

            [project.entry-points."newslint.rules"]
            {module} = "{module}:RULES"
            """
        )
    )
    return package


def _install(package: Path, target: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(package),
        ],
        check=True,
        timeout=300,
    )


def _newslint(args: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.getcwd()])}
    return subprocess.run(
        [sys.executable, "-m", "validator", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_installed_plugin_rule_is_listed_and_runs(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _install(_make_plugin(tmp_path / "src", "acme-newslint", "acme/clickbait", "AC001"), site)
    work = tmp_path / "work"
    work.mkdir()
    (work / "newslint.toml").write_text("")
    (work / "bait.md").write_text(markdown(fields(title="You will not believe this!!!")))

    listed = _newslint(["rules"], site, work)
    assert listed.returncode == 0, listed.stderr
    assert "acme/clickbait" in listed.stdout and "AC001" in listed.stdout

    checked = _newslint(["check", "--select", "acme", "bait.md"], site, work)
    assert "bait.md:3:1: warning [acme/clickbait AC001] title ends with '!!!'" in checked.stdout
    assert checked.returncode == 0  # a warning does not fail at the default --fail-on error


def test_plugin_claiming_a_builtin_slug_is_a_clear_error(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _install(_make_plugin(tmp_path / "src", "rogue-newslint", "body/missing", "RG001"), site)
    result = _newslint(["rules"], site, tmp_path)
    assert result.returncode == 2
    assert "rule slug 'body/missing' is claimed by both" in result.stderr
    assert "rogue_newslint" in result.stderr

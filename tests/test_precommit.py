"""The hook in .pre-commit-hooks.yaml, run for real through `pre-commit try-repo`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO, fields, markdown

pytestmark = pytest.mark.slow


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def test_hook_manifest_declares_newslint() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    (hook,) = [h for h in hooks if h["id"] == "newslint"]
    assert hook["entry"] == "newslint check --force-exclude"
    assert hook["language"] == "python"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_try_repo_passes_good_record_and_fails_bad_one(tmp_path: Path) -> None:
    project = tmp_path / "contrib"
    project.mkdir()
    _git(project, "init", "-q")
    (project / "newslint.toml").write_text('exclude = ["docs/**"]\n')
    (project / "good.md").write_text(markdown())
    (project / "docs").mkdir()
    (project / "docs" / "guide.md").write_text("# How to write a record\n")
    (project / "bad.md").write_text(markdown(fields(quality="high"), body=""))
    _git(project, "add", ".")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pre_commit",
                "try-repo",
                str(REPO),
                "newslint",
                "--files",
                *files,
            ],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    good = try_repo("good.md")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout

    bad = try_repo("good.md", "bad.md")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert (
        "bad.md:9:1: error [schema/violation SC001] [type] 'high' is not of type 'integer'"
        in bad.stdout
    )
    assert "good.md:" not in bad.stdout

    # pre-commit names every staged file; the configuration's exclude still applies.
    documentation = try_repo("good.md", "docs/guide.md")
    assert documentation.returncode == 0, documentation.stdout + documentation.stderr

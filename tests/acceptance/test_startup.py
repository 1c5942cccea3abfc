"""Start-up: checking one file (the pre-commit use) imports only what that check needs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import SEEDS

ROOT = Path(__file__).resolve().parents[2]
SEED = SEEDS / "000_00413085105cbbc0.txt"

# Imported only by the commands, options and inputs that use them.
NEVER_FOR_ONE_FILE = (
    "concurrent.futures.process",  # the process pool: one file is checked in-process
    "multiprocessing",
    "cryptography",  # secured/undecryptable, only with a key and a blob
    "httpx",  # the online checks (--online)
    "rich",  # the progress bar of `newslint report`
    "validator.online",
    "jsonschema",  # names what is wrong with an invalid record or phrase pack
    "validator.audit",  # `newslint report`
    "validator.baseline",  # --baseline and `newslint baseline`
    "validator.fix",  # --fix and --diff
    "validator.report.markdown",
    "validator.report.html",
)
# A record in plain front matter, whose findings need no position in it, is read by the fast
# path alone: neither the reference YAML parser nor the JSON loader is imported.
NOT_FOR_PLAIN_FRONT_MATTER = ("yaml", "validator.load.yaml_tree", "validator.load.json_")
# A run served from the result cache reads no record: no parser and no schema validator.
NOT_WHEN_CACHED = ("yaml", "yaml_rs", "jsonschema_rs", "validator.load.text")

SCRIPT = """
import json, sys
from validator.cli import main
sys.argv = ["newslint", "check", sys.argv[1]]
main()
sys.stderr.write("MODULES " + json.dumps(sorted(sys.modules)) + "\\n")
"""


def check_imports(folder: Path, name: str) -> set[str]:
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, name],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "body/missing" in done.stdout, done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("MODULES ")]
    return set(json.loads(line.removeprefix("MODULES ")))


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


def test_one_file_check_imports_only_what_it_needs(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / SEED.name)
    first = check_imports(tmp_path, SEED.name)  # reads the file; fills the cache
    assert "yaml_rs" in first  # the check really read the record
    assert loaded(first, NEVER_FOR_ONE_FILE) == []
    assert loaded(first, NOT_FOR_PLAIN_FRONT_MATTER) == []
    assert (tmp_path / ".newslint_cache").is_dir()
    again = check_imports(tmp_path, SEED.name)  # served from the cache
    assert loaded(again, NEVER_FOR_ONE_FILE) == []
    assert loaded(again, NOT_WHEN_CACHED) == []

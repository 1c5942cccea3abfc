"""Replaying an unchanged check (validator/replay.py): same output, and never a stale one."""

from __future__ import annotations

import base64
import marshal
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
import pytest

from tests.helpers import SEEDS, fields, markdown
from tests.test_secrets import KEY, blob, secrets
from validator import cache as cache_module
from validator import replay
from validator.cli import cli

ROOT = Path(__file__).resolve().parents[1]

# Runs the `newslint` command as its console script does, then says which path answered.
SCRIPT = """
import sys
from validator.replay import main
sys.argv = ["newslint", *sys.argv[1:]]
code = main()
heavy = sorted(m for m in ("click", "pydantic", "validator.cli", "rules.body") if m in sys.modules)
sys.stderr.write("\\nANSWERED " + ("full" if heavy else "replay") + "\\n")
sys.exit(code)
"""


class Done:
    def __init__(self, done: subprocess.CompletedProcess[str]) -> None:
        self.code = done.returncode
        self.stdout = done.stdout
        self.stderr, _, answered = done.stderr.rpartition("\nANSWERED ")
        self.answered = answered.strip()
        assert self.answered in ("full", "replay"), done.stderr

    def same_output(self, other: Done) -> bool:
        return (self.code, self.stdout, self.stderr) == (other.code, other.stdout, other.stderr)


@pytest.fixture(scope="module")
def entry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A script file, as the console script is: with `python -c`, the import system would
    # list the working folder, which the first run changes by creating the cache in it.
    path = tmp_path_factory.mktemp("entry") / "newslint_entry.py"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _entry_script(entry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "ENTRY", entry)


ENTRY = Path()


def newslint(
    folder: Path, *args: str, stdin: Path | None = None, timeout: float = 120, **env: str
) -> Done:
    environment = {k: v for k, v in os.environ.items() if k not in replay.REPLAY_ENVIRONMENT}
    environment.update(PYTHONPATH=str(ROOT), **env)
    with open(stdin if stdin is not None else os.devnull, "rb") as source:
        done = subprocess.run(
            [sys.executable, str(ENTRY), *args],
            cwd=folder,
            env=environment,
            stdin=source,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    return Done(done)


def settle() -> None:
    """Wait until files written so far count as settled (validator.stamp.SETTLED_NS)."""
    time.sleep(replay.SETTLED_NS / 1e9 + 0.1)


def record_path(folder: Path) -> Path:
    return folder / ".newslint_cache" / f"replay-v{replay.SCHEMA_VERSION}.sqlite"


def recorded_runs(folder: Path) -> int:
    path = record_path(folder)
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM runs").fetchone()[0])


@pytest.fixture
def news(tmp_path: Path) -> Path:
    """A folder of records: the two seeds and a clean record, in news/."""
    folder = tmp_path / "news"
    folder.mkdir()
    for seed in SEEDS.iterdir():
        shutil.copy(seed, folder / seed.name)
    (folder / "clean.md").write_text(markdown(), encoding="utf-8")
    settle()
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["check", "news"],
        ["check", "--format", "json", "news"],
        ["check", "--format=sarif", "--select", "body,boilerplate", "news/clean.md"],
        ["check", "-j1", "--fail-on", "warning", "--", "news"],
    ],
    ids=["text", "json", "sarif-select", "options"],
)
def test_a_repeated_check_is_replayed_with_identical_output(news: Path, args: list[str]) -> None:
    first = newslint(news, *args)
    assert first.answered == "full"
    again = newslint(news, *args)
    assert again.answered == "replay"
    assert again.same_output(first)
    full = newslint(news, *args, NEWSLINT_NO_REPLAY="1")
    assert full.answered == "full"
    assert full.same_output(again)


def test_a_replay_rewrites_the_report_file(news: Path) -> None:
    args = ["check", "--format", "junit", "-o", "report.xml", "news"]
    first = newslint(news, *args)
    written = (news / "report.xml").read_bytes()
    (news / "report.xml").unlink()
    again = newslint(news, *args)
    assert again.answered == "replay"
    assert again.same_output(first)
    assert "(report: report.xml)" in again.stderr
    assert (news / "report.xml").read_bytes() == written


def test_an_edited_added_or_removed_record_is_checked_again(news: Path) -> None:
    newslint(news, "check", "news")
    seed = news / "news" / "000_00413085105cbbc0.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + "The article text, at last.\n")
    edited = newslint(news, "check", "news")
    assert edited.answered == "full"
    assert "body/missing" not in edited.stdout
    (news / "news" / "new.md").write_text(markdown(body=""), encoding="utf-8")
    added = newslint(news, "check", "news")
    assert added.answered == "full"
    assert "new.md" in added.stdout
    settle()
    newslint(news, "check", "news")
    assert newslint(news, "check", "news").answered == "replay"
    (news / "news" / "new.md").unlink()
    removed = newslint(news, "check", "news")
    assert removed.answered == "full"
    assert "new.md" not in removed.stdout


def test_a_same_size_edit_with_its_mtime_put_back_is_seen(news: Path) -> None:
    newslint(news, "check", "news")
    clean = news / "news" / "clean.md"
    before = clean.stat()
    text = clean.read_text(encoding="utf-8")
    clean.write_text(text.replace("article", "articlX", 1), encoding="utf-8")
    os.utime(clean, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert clean.stat().st_size == before.st_size
    assert newslint(news, "check", "news").answered == "full"  # the ctime moved


def test_a_changed_or_new_configuration_is_read_again(news: Path) -> None:
    (news / "newslint.toml").write_text('ignore = ["boilerplate"]\n', encoding="utf-8")
    settle()
    newslint(news, "check", "news")
    assert newslint(news, "check", "news").answered == "replay"
    (news / "newslint.toml").write_text("ignore = []\n", encoding="utf-8")
    changed = newslint(news, "check", "news")
    assert changed.answered == "full"
    assert "boilerplate/" in changed.stdout
    settle()
    newslint(news, "check", "news")
    (news / "news" / "newslint.toml").write_text('ignore = ["body"]\n', encoding="utf-8")
    nearer = newslint(news, "check", "news")  # discovery now finds news/newslint.toml
    assert nearer.answered == "full"
    assert "body/missing" not in nearer.stdout


def test_other_arguments_or_environment_are_not_replayed(news: Path) -> None:
    newslint(news, "check", "news")
    assert newslint(news, "check", "news", "--select", "body").answered == "full"
    assert newslint(news, "check", "news", NO_COLOR="1").answered == "full"
    assert newslint(news, "check", "news", NEWSLINT_SECURED_KEY="a2V5").answered == "full"
    assert newslint(news / "news", "check", ".").answered == "full"


@pytest.mark.parametrize("option", ["--no-cache", "--diff", "--fix"])
def test_runs_that_change_files_or_skip_the_cache_are_never_recorded(
    news: Path, option: str
) -> None:
    assert newslint(news, "check", option, "news").answered == "full"
    assert newslint(news, "check", option, "news").answered == "full"
    assert recorded_runs(news) == 0


def test_a_record_written_just_before_the_run_is_not_trusted(tmp_path: Path) -> None:
    (tmp_path / "fresh.md").write_text(markdown(body=""), encoding="utf-8")
    newslint(tmp_path, "check", "fresh.md")  # within the same 2 s: could be mid-write
    assert recorded_runs(tmp_path) == 0
    assert newslint(tmp_path, "check", "fresh.md").answered == "full"


def test_a_finding_that_depends_on_the_time_is_not_recorded(tmp_path: Path) -> None:
    future = markdown(fields(publishedDateTime="2202-10-02T04:30:00Z"))
    (tmp_path / "future.md").write_text(future, encoding="utf-8")
    settle()
    first = newslint(tmp_path, "check", "future.md")
    assert "meta/future-date" in first.stdout
    assert recorded_runs(tmp_path) == 0
    assert newslint(tmp_path, "check", "future.md").answered == "full"


def test_what_a_run_depends_on_is_recorded(news: Path) -> None:
    newslint(news, "check", "news")
    with sqlite3.connect(record_path(news)) as db:
        (stamps,) = db.execute("SELECT stamps FROM runs").fetchone()
    paths = {path for path, _ in marshal.loads(stamps)}
    assert str(ROOT / "rules" / "body.py") in paths  # rule code
    assert any(p.startswith(str(ROOT / "rules" / "packs")) and p.endswith(".yaml") for p in paths)
    assert str(ROOT / "schemas" / "news-record.schema.json") in paths  # read by the driver
    assert click.__file__ in paths  # every imported module
    assert "news/clean.md" in paths and "news" in paths  # inputs and walked folders
    assert str(news / "newslint.toml") in paths  # where discovery looked
    site_packages = os.path.dirname(os.path.dirname(click.__file__))
    assert site_packages in paths  # an install or removal changes this folder


def test_neither_the_key_nor_plaintext_is_recorded(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(markdown(fields(secured=blob(KEY))), encoding="utf-8")
    settle()
    key = base64.b64encode(KEY).decode()
    first = newslint(tmp_path, "check", "a.md", NEWSLINT_SECURED_KEY=key)
    again = newslint(tmp_path, "check", "a.md", NEWSLINT_SECURED_KEY=key)
    assert again.answered == "replay"
    assert again.same_output(first)
    record = record_path(tmp_path).read_bytes()
    for secret in secrets():
        assert secret not in record


def test_a_replay_imports_neither_click_nor_pydantic_nor_rules(news: Path) -> None:
    newslint(news, "check", "news/clean.md")
    assert newslint(news, "check", "news/clean.md").answered == "replay"  # see SCRIPT


@pytest.mark.parametrize(
    ("argv", "paths", "config"),
    [
        (["check"], (), None),
        (["check", "a.md", "--config", "c.toml", "b"], ("a.md", "b"), "c.toml"),
        (["check", "--config=c.toml", "-j2", "-oout.json", "a"], ("a",), "c.toml"),
        (["check", "--select", "body", "--", "--odd-name.md"], ("--odd-name.md",), None),
    ],
)
def test_command_lines_the_replay_reads(
    argv: list[str], paths: tuple[str, ...], config: str | None
) -> None:
    invocation = replay.parse_check(argv)
    assert invocation is not None
    assert (invocation.paths, invocation.config) == (paths, config)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["rules"],
        ["report", "news"],
        ["check", "--no-cache", "a.md"],
        ["check", "--fix", "a.md"],
        ["check", "--help"],
        ["check", "--unknown", "a.md"],
        ["check", "a.md", "--select"],  # a value missing
    ],
)
def test_command_lines_never_replayed(argv: list[str]) -> None:
    assert replay.parse_check(argv) is None


def test_every_check_option_is_known_to_the_replay() -> None:
    command = cli.commands["check"]
    for param in command.params:
        if not isinstance(param, click.Option):
            continue
        for name in param.opts + param.secondary_opts:
            if param.is_flag:
                assert name in replay.NEVER_REPLAYED | replay.REPLAYED_FLAGS, (
                    f"{name}: a flag the replay must classify"
                )
            else:
                assert name in replay.VALUE_OPTIONS, f"{name}: an option replay must know"


@pytest.mark.parametrize(
    "unrepeatable", [None, "a rule crashed or a file timed out, which may not happen again"]
)
def test_a_run_that_may_print_otherwise_next_time_is_not_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unrepeatable: str | None
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(replay, "SETTLED_NS", 0)  # this process's modules may be fresh
    (tmp_path / ".newslint_cache").mkdir()
    invocation = replay.parse_check(["check", "absent.md"])
    assert invocation is not None
    reason = replay.Recorder(invocation).finish(
        2, rule_modules=["rules.body"], output_path=None, unrepeatable=unrepeatable
    )
    assert reason == unrepeatable
    assert recorded_runs(tmp_path) == (1 if unrepeatable is None else 0)


def test_standard_input_named_as_a_path_is_stamped_as_what_it_is(tmp_path: Path) -> None:
    (tmp_path / "empty-body.md").write_text(markdown(body=""), encoding="utf-8")
    (tmp_path / "clean.md").write_text(markdown(), encoding="utf-8")
    settle()
    first = newslint(tmp_path, "check", "/dev/stdin", stdin=tmp_path / "empty-body.md")
    assert "body/missing" in first.stdout
    again = newslint(tmp_path, "check", "/dev/stdin", stdin=tmp_path / "clean.md")
    assert again.answered == "full"  # another file behind /dev/stdin
    assert "body/missing" not in again.stdout


def test_a_report_written_to_standard_output_is_not_read_back(tmp_path: Path) -> None:
    """-o /dev/stdout is a pipe here: reading it back for the record would never end."""
    (tmp_path / "a.md").write_text(markdown(body=""), encoding="utf-8")
    settle()
    done = newslint(tmp_path, "check", "-o", "/dev/stdout", "a.md", timeout=60)
    assert done.code == 1
    assert "body/missing" in done.stdout
    assert recorded_runs(tmp_path) == 0


def test_an_unusable_result_cache_is_not_hidden_by_a_replay(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(markdown(body=""), encoding="utf-8")
    settle()
    newslint(tmp_path, "check", "a.md")
    assert recorded_runs(tmp_path) == 1
    cache = tmp_path / ".newslint_cache"
    for results in cache.glob("results-v*.sqlite*"):
        results.unlink()
    (cache / f"results-v{cache_module.SCHEMA_VERSION}.sqlite").write_bytes(b"not a database " * 100)
    again = newslint(tmp_path, "check", "a.md")
    assert again.answered == "full"
    assert "note: result cache disabled" in again.stderr


@pytest.mark.slow  # waits for a date to pass
def test_a_time_dependent_finding_behind_a_baseline_is_not_recorded(tmp_path: Path) -> None:
    # Ahead long enough for two settles and two runs on a busy machine, then passed.
    soon = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=20)
    (tmp_path / "newslint.toml").write_text(
        '[rules."meta/future-date"]\ntolerance-hours = 0\n', encoding="utf-8"
    )
    record = markdown(fields(publishedDateTime=soon.strftime("%Y-%m-%dT%H:%M:%SZ")))
    (tmp_path / "a.md").write_text(record, encoding="utf-8")
    settle()
    newslint(tmp_path, "baseline", "a.md", "-o", "base.json")
    settle()
    first = newslint(tmp_path, "check", "--baseline", "base.json", "a.md")
    assert "1 known finding(s) not reported" in first.stderr  # the date is still ahead
    assert recorded_runs(tmp_path) == 0
    time.sleep(max(0.0, (soon - datetime.now(timezone.utc)).total_seconds()) + 1.5)
    again = newslint(tmp_path, "check", "--baseline", "base.json", "a.md")
    assert again.answered == "full"
    assert "1 baseline entry is fixed" in again.stderr


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="no /dev/shm")
def test_files_under_dev_shm_are_stamped_like_any_other() -> None:
    """/dev/shm is a plain file system (tmpfs) that CI jobs use as a workspace."""
    folder = Path(tempfile.mkdtemp(prefix="newslint-replay-", dir="/dev/shm"))
    try:
        (folder / "newslint.toml").write_text('ignore = ["body"]\n', encoding="utf-8")
        (folder / "a.md").write_text(markdown(body=""), encoding="utf-8")
        settle()
        first = newslint(folder, "check", "a.md")
        assert "body/missing" not in first.stdout
        (folder / "newslint.toml").write_text("ignore = []\n", encoding="utf-8")
        again = newslint(folder, "check", "a.md")
        assert again.answered == "full"
        assert "body/missing" in again.stdout
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _with_path(folder: Path, *args: str, extra_path: str, **env: str) -> Done:
    """newslint() with another folder on PYTHONPATH after the project's."""
    environment = {k: v for k, v in os.environ.items() if k not in replay.REPLAY_ENVIRONMENT}
    environment.update(env, PYTHONPATH=f"{ROOT}{os.pathsep}{extra_path}")
    done = subprocess.run(
        [sys.executable, str(ENTRY), *args],
        cwd=folder,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return Done(done)


def warning_plugin(folder: Path) -> Path:
    """A folder holding a rule plugin whose import prints a warning (for PYTHONPATH)."""
    plugins = folder / "plugins"
    (plugins / "warnplug").mkdir(parents=True)
    (plugins / "warnplug" / "__init__.py").write_text(
        "import warnings\n"
        "warnings.warn('warnplug: the x option is deprecated', UserWarning, stacklevel=1)\n"
        "RULES = ()\n",
        encoding="utf-8",
    )
    info = plugins / "warnplug-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: warnplug\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[newslint.rules]\nwarnplug = warnplug:RULES\n")
    return plugins


def _until_replayed(
    folder: Path, *args: str, run: Callable[..., Done] = newslint, **env: str
) -> Done:
    """Run until the command is answered by a replay (at most four runs); the last run."""
    for _ in range(4):
        done = run(folder, *args, **env)
        if done.answered == "replay":
            return done
        settle()
    raise AssertionError(f"never replayed: {args}")


def assert_a_fix_of_a_cached_file_is_seen(
    folder: Path, target: str, broken: Path, other: Path
) -> None:
    """Record a check of ``target`` made while ``broken`` (an empty body) was served from
    the result cache, so never opened; fix ``broken`` in place: the next run is not a
    replay of the old report."""
    _until_replayed(folder, "check", target)
    with open(other, "a", encoding="utf-8") as handle:
        handle.write("More text.\n")  # the next run is a full one, warm for ``broken``
    settle()
    first = _until_replayed(folder, "check", target)
    assert "body/missing" in first.stdout
    broken.write_text(markdown(), encoding="utf-8")  # in place: its folder is unchanged
    full = newslint(folder, "check", target, NEWSLINT_NO_REPLAY="1")
    assert "body/missing" not in full.stdout
    again = newslint(folder, "check", target)
    assert again.same_output(full), (again.answered, again.stdout)


@pytest.mark.slow  # several runs that wait for files to settle
def test_an_edit_to_a_walked_file_with_a_non_utf8_name_is_seen(tmp_path: Path) -> None:
    """A file served by the result cache is never opened, and its shown name (U+FFFD for
    the bad byte) names no file: it is stamped under its name on disk."""
    news = tmp_path / "news"
    news.mkdir()
    name = os.fsdecode(b"caf\xe9.md")
    (news / name).write_text(markdown(body=""), encoding="utf-8")
    (news / "other.md").write_text(markdown(), encoding="utf-8")
    settle()
    assert_a_fix_of_a_cached_file_is_seen(tmp_path, "news", news / name, news / "other.md")


@pytest.mark.slow  # several runs that wait for files to settle
def test_an_edit_under_a_dotdot_path_through_a_symlink_is_seen(tmp_path: Path) -> None:
    """`check link/../news` walks <link's target>/../news while reports show news/...:
    the file stamped is the one read."""
    project, shared = tmp_path / "project", tmp_path / "shared"
    (shared / "sub").mkdir(parents=True)
    (shared / "news").mkdir()
    project.mkdir()
    (project / "link").symlink_to(shared / "sub")
    record = shared / "news" / "a.md"
    record.write_text(markdown(body=""), encoding="utf-8")
    (shared / "news" / "b.md").write_text(markdown(), encoding="utf-8")
    settle()
    assert_a_fix_of_a_cached_file_is_seen(project, "link/../news", record, shared / "news" / "b.md")


@pytest.mark.slow  # several runs that wait for files to settle
def test_a_report_file_that_is_also_an_input_is_not_recorded(tmp_path: Path) -> None:
    """`check . --format json -o report.json` checks its own report from the second run on:
    a replay would rewrite it, so no such run is recorded."""
    (tmp_path / "a.md").write_text(markdown(body=""), encoding="utf-8")
    settle()
    args = ("check", ".", "--format", "json", "-o", "report.json")
    for _ in range(3):
        assert newslint(tmp_path, *args).answered == "full"
        settle()
    assert recorded_runs(tmp_path) == 0


def test_a_report_file_name_that_is_not_utf8_does_not_crash_the_recording(
    tmp_path: Path,
) -> None:
    """A report name with surrogate escapes is stored as bytes, not as SQLite text."""
    (tmp_path / "a.md").write_text(markdown(), encoding="utf-8")
    settle()
    done = newslint(tmp_path, "check", "a.md", "-o", os.fsdecode(b"r\xe9port.txt"))
    assert "Traceback" not in done.stderr, done.stderr
    assert done.code == 0


def test_what_a_plugin_writes_to_standard_error_is_replayed(tmp_path: Path) -> None:
    """Everything a full run prints is replayed, a warning from a plugin (or a library it
    imports: a deprecation notice, urllib3's OpenSSL warning) too."""
    plugins = warning_plugin(tmp_path)
    (tmp_path / "a.md").write_text(markdown(body=""), encoding="utf-8")
    settle()
    args = ("check", "a.md")
    full = _with_path(tmp_path, *args, extra_path=str(plugins), NEWSLINT_NO_REPLAY="1")
    assert "warnplug: the x option is deprecated" in full.stderr
    again = _until_replayed(tmp_path, *args, run=_with_path, extra_path=str(plugins))
    assert again.same_output(full), again.stderr


def _closed_early(folder: Path, *args: str, **env: str) -> tuple[int, str]:
    """Run newslint with its standard output read for 10 bytes and then closed, as
    `newslint check news | head -c 10` does: the exit code and standard error."""
    environment = {k: v for k, v in os.environ.items() if k not in replay.REPLAY_ENVIRONMENT}
    environment.update(PYTHONPATH=str(ROOT), **env)
    process = subprocess.Popen(
        [sys.executable, str(ENTRY), *args],
        cwd=folder,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    error = process.stderr.read().decode("utf-8", "replace")
    return process.wait(timeout=120), error.split("\nANSWERED ")[0]


@pytest.mark.slow  # several runs that wait for files to settle
def test_a_replay_into_a_pipe_closed_early_fails_as_the_full_check_does(tmp_path: Path) -> None:
    """`newslint check news | head`: click turns a broken pipe into a quiet exit 1, and
    so does the replay, which writes outside click."""
    (tmp_path / "many.md").write_text(markdown(body=""), encoding="utf-8")
    line = '{"title": "x"}\n'
    (tmp_path / "many.jsonl").write_text(line * 3000, encoding="utf-8")  # >64 KiB of report
    settle()
    _until_replayed(tmp_path, "check", ".")
    replay_code, replay_error = _closed_early(tmp_path, "check", ".")
    full_code, full_error = _closed_early(tmp_path, "check", ".", NEWSLINT_NO_REPLAY="1")
    assert "Traceback" not in full_error
    assert (replay_code, replay_error) == (full_code, full_error)


def test_a_run_is_recorded_under_the_identity_a_replay_computes_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record's key is computed before the run imports anything, as a replay computes
    it: `import ray` (--engine ray) puts ray/thirdparty_files on sys.path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(replay, "SETTLED_NS", 0)  # this process's modules may be fresh
    (tmp_path / ".newslint_cache").mkdir()
    invocation = replay.parse_check(["check", "absent.md"])
    assert invocation is not None
    asked_for = replay.identity(invocation)  # what the next run's replay() looks up
    recorder = replay.Recorder(invocation)
    with monkeypatch.context() as during_the_run:  # what `import ray` does
        during_the_run.setattr(sys, "path", [str(tmp_path / "thirdparty_files"), *sys.path])
        assert recorder.finish(0, rule_modules=[], output_path=None) is None
    with sqlite3.connect(record_path(tmp_path)) as db:
        ids = {row[0] for row in db.execute("SELECT id FROM runs")}
    assert asked_for in ids


def test_output_to_an_ascii_stream_is_not_recorded(tmp_path: Path) -> None:
    """With an ASCII standard stream (PYTHONIOENCODING=ascii), click writes its lines to the
    stream's bytes buffer, past the recorder: such a run is never recorded."""
    (tmp_path / "a.md").write_text(markdown(body=""), encoding="utf-8")
    settle()
    args = ("check", "-o", "r.txt", "a.md")
    full = newslint(tmp_path, *args, PYTHONIOENCODING="ascii", NEWSLINT_NO_REPLAY="1")
    assert "(report: r.txt)" in full.stderr
    settle()
    again = newslint(tmp_path, *args, PYTHONIOENCODING="ascii")
    assert again.answered == "full"
    assert again.same_output(full)
    assert recorded_runs(tmp_path) == 0


def _closed_stream(folder: Path, fd: int, *args: str, **env: str) -> int:
    """Run newslint with standard output (fd 1) or error (fd 2) closed, as `>&-` / `2>&-`
    in a shell or a cron job do: Python then sets sys.stdout / sys.stderr to None."""
    environment = {k: v for k, v in os.environ.items() if k not in replay.REPLAY_ENVIRONMENT}
    environment.update(PYTHONPATH=str(ROOT), **env)
    code = (
        "import os, sys\n"
        f"os.close({fd})\n"
        f"os.execv(sys.executable, [sys.executable, '-m', 'validator', *{list(args)!r}])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=folder,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=False,
        stdout=subprocess.DEVNULL if fd == 2 else None,
        stderr=subprocess.DEVNULL if fd == 1 else None,
        check=False,
        timeout=120,
    )
    return done.returncode


def test_a_closed_standard_stream_does_not_fail_the_run(tmp_path: Path) -> None:
    """`>&-` or `2>&-` (a cron job): a closed stream is not wrapped (click skips None), so
    the run exits 0 as it would without the recorder."""
    (tmp_path / "a.md").write_text(markdown(), encoding="utf-8")
    settle()
    args = ("check", "-o", "r.txt", "a.md")
    assert _closed_stream(tmp_path, 1, *args, NEWSLINT_NO_REPLAY="1") == 0
    assert _closed_stream(tmp_path, 2, *args, NEWSLINT_NO_REPLAY="1") == 0


def test_warning_filters_are_part_of_a_runs_identity(tmp_path: Path) -> None:
    """PYTHONWARNINGS (-W) changes what a warning prints, or makes it an error (a strict CI
    job): a run recorded under other filters is not replayed."""
    plugins = warning_plugin(tmp_path)
    (tmp_path / "a.md").write_text(markdown(body=""), encoding="utf-8")
    settle()
    args = ("check", "a.md")
    _until_replayed(tmp_path, *args, run=_with_path, extra_path=str(plugins))
    quiet = _with_path(tmp_path, *args, extra_path=str(plugins), PYTHONWARNINGS="ignore")
    # after it: a full run records itself over the run recorded with the warning
    quiet_full = _with_path(
        tmp_path,
        *args,
        extra_path=str(plugins),
        PYTHONWARNINGS="ignore",
        NEWSLINT_NO_REPLAY="1",
    )
    assert "warnplug" not in quiet_full.stderr
    assert quiet.same_output(quiet_full), (quiet.answered, quiet.stderr)


def test_an_unreadable_record_file_is_replaced(tmp_path: Path) -> None:
    """A record file that is not a database (torn by a crash, a bad copy of the cache
    folder) is replaced by the next full run, so replays work again."""
    (tmp_path / "a.md").write_text(markdown(body=""), encoding="utf-8")
    settle()
    newslint(tmp_path, "check", "a.md")
    assert recorded_runs(tmp_path) == 1
    record_path(tmp_path).write_bytes(b"not a database " * 100)
    settle()
    newslint(tmp_path, "check", "a.md")
    again = newslint(tmp_path, "check", "a.md")
    assert again.answered == "replay"


def test_a_path_object_on_the_import_path_does_not_crash_the_recording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A non-str sys.path entry (a plugin's `sys.path.append(Path(...))`), which the import
    system skips, neither crashes nor changes the recording."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(replay, "SETTLED_NS", 0)  # this process's modules may be fresh
    (tmp_path / ".newslint_cache").mkdir()
    invocation = replay.parse_check(["check", "absent.md"])
    assert invocation is not None
    recorder = replay.Recorder(invocation)
    monkeypatch.setattr(sys, "path", [*sys.path, tmp_path / "vendor"])
    assert recorder.finish(0, rule_modules=[], output_path=None) is None  # recorded


def test_the_pre_commit_hook_command_is_replayed(tmp_path: Path) -> None:
    """The hook runs `newslint check --force-exclude FILES`: a commit retried after a failed
    one is answered from the record, and an excluded file stays out of the answer."""
    (tmp_path / "newslint.toml").write_text('exclude = ["docs/**"]\n', encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n", encoding="utf-8")
    (tmp_path / "a.md").write_text(markdown(body=""), encoding="utf-8")
    settle()
    first = newslint(tmp_path, "check", "--force-exclude", "a.md", "docs/guide.md")
    again = newslint(tmp_path, "check", "--force-exclude", "a.md", "docs/guide.md")
    assert (first.answered, again.answered) == ("full", "replay")
    assert again.stdout == first.stdout
    assert "a.md:" in first.stdout and "guide.md" not in first.stdout

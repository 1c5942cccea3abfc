"""Replaying an unchanged check: the same command line over the same files, configuration
and code prints the same report, so a repeated `newslint check` is answered from a record
of the last one without importing click, pydantic or the rules.

A `newslint check` that uses the result cache records, in the cache folder, what it printed,
its exit code and the stamps (size, times, inode; see validator.stamp) of everything its
output depends on:

- the files it checked and the folders it walked;
- every file the driver process opened for reading: configuration, schema, phrase packs,
  baseline, key file, and every module it imported;
- the files of the packages that provide rules (newslint's own and plugins'), whose data
  files may only be read by worker processes;
- the folders of the import path, which change when a package is installed or removed;
- where configuration discovery looked, so that a new newslint.toml is noticed.

The next run with the same arguments, working folder, interpreter and relevant environment
(NO_COLOR, RAY_ADDRESS, a one-way hash of NEWSLINT_SECURED_KEY, whether output is a
terminal) stats those paths. When every stamp is as recorded, it prints the recorded output
and exits with the recorded code; anything else runs the full check. Runs that change files
(--fix), print something else (--diff, --help) or go online (--online) are never replayed,
nor is a run with --no-cache. Setting NEWSLINT_NO_REPLAY=1 always runs the full check.

A run records nothing if any path it depends on changed within 2 s before it started or
while it ran (a write in the same clock tick can leave a stamp unchanged); if a finding
depends on the time of the check (a date in the future may not be in the future tomorrow),
a rule crashed or a file timed out; if it read a pipe or device, wrote its report to one or
checked its own report; or if it printed more than MAX_OUTPUT_CHARS. A replay steps aside
when the result cache is unusable, so that the full check can say so.
"""

from __future__ import annotations

# Only what a replay needs is imported here, and nothing slow: dataclasses, json and typing
# would each add 5-15 ms to a replay that takes ~70 ms in all.
import codecs
import hashlib
import marshal
import os
import sqlite3
import stat
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from validator import __version__
from validator.config_files import (
    ConfigError,
    common_folder,
    config_candidates,
    config_path,
    read_table,
)
from validator.stamp import SETTLED_NS, Stamp

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any, TextIO

SCHEMA_VERSION = 2
KEPT_RUNS = 32  # newest recorded runs kept per cache folder
MAX_PATHS = 200_000  # a run that depends on more paths is not recorded
MAX_OUTPUT_CHARS = 16 * 1024 * 1024  # printed plus the report file: a larger run is not kept
NO_REPLAY_ENV = "NEWSLINT_NO_REPLAY"
# The environment variables a check's output depends on, besides the import path's.
REPLAY_ENVIRONMENT = ("NO_COLOR", "RAY_ADDRESS", "NEWSLINT_SECURED_KEY", NO_REPLAY_ENV)

# How `newslint check` reads its arguments, as far as the replay must know: which options
# take a value, and which make a run that must never be replayed. A test keeps these in
# step with the options the check command declares.
VALUE_OPTIONS = frozenset(
    {
        "--select",
        "--ignore",
        "--config",
        "-j",
        "--jobs",
        "--engine",
        "--ray-address",
        "--image-dir",
        "--secured-key-file",
        "--format",
        "-o",
        "--output",
        "--fail-on",
        "--baseline",
    }
)
NEVER_REPLAYED = frozenset({"--no-cache", "--fix", "--diff", "--online", "-h", "--help"})
# Flags a replay takes as they are: what they change is in the run's record (the files it
# checked, the configuration it read).
REPLAYED_FLAGS = frozenset({"--force-exclude"})
# Kernel files look "changed" at every read and are never an input; devices whose bytes do
# not decide any output.
_KERNEL = ("/proc/", "/sys/")
_HARMLESS_DEVICES = frozenset({os.devnull, "/dev/urandom", "/dev/random"})
# Bytecode caches follow their sources, which are stamped; the first run writes them.
_COMPILED = f"{os.sep}__pycache__{os.sep}"


class Invocation:
    """A `newslint check` command line the replay understands."""

    def __init__(self, argv: tuple[str, ...], paths: tuple[str, ...], config: str | None):
        self.argv = argv
        self.paths = paths
        self.config = config


def parse_check(argv: list[str]) -> Invocation | None:
    """The check command line in ``argv`` (arguments after the program name), or None when
    it is another command or has an option that is unknown here or never replayed."""
    if not argv or argv[0] != "check":
        return None
    paths: list[str] = []
    config = None
    tokens = iter(argv[1:])
    only_paths = False
    for token in tokens:
        if only_paths or token == "-" or not token.startswith("-"):
            paths.append(token)
            continue
        if token == "--":
            only_paths = True
            continue
        if token in REPLAYED_FLAGS:
            continue
        name, value = token, None
        if token.startswith("--"):
            if "=" in token:
                name, value = token.split("=", 1)
        elif len(token) > 2:
            name, value = token[:2], token[2:]
        if name not in VALUE_OPTIONS:
            return None
        value = next(tokens, None) if value is None else value
        if value is None:
            return None
        if name == "--config":
            config = value
    return Invocation(tuple(argv), tuple(paths), config)


def record_file(invocation: Invocation) -> Path | None:
    """Where runs of this command line are recorded: beside the result cache, found as the
    full check finds it (the configuration's cache-dir, else .newslint_cache by it)."""
    explicit = Path(invocation.config) if invocation.config is not None else None
    try:
        found = config_path(explicit, [Path(p) for p in invocation.paths] or [Path(".")])
        if found is None:
            root, cache_dir = Path.cwd().resolve(), None
        else:
            table, _ = read_table(found)
            root = found.parent.resolve()
            cache_dir = table.get("cache-dir", table.get("cache_dir"))
    except (ConfigError, OSError, ValueError):
        return None
    if cache_dir is not None and not isinstance(cache_dir, str):
        return None  # the full check reports the configuration error
    return root / (cache_dir or ".newslint_cache") / f"replay-v{SCHEMA_VERSION}.sqlite"


def identity(invocation: Invocation) -> str:
    """What besides the stamped paths decides a run's output."""
    key = os.environ.get("NEWSLINT_SECURED_KEY")
    parts: list[Any] = [
        __version__,
        sys.executable,
        sys.version,
        sys.path,
        os.getcwd(),
        invocation.argv,
        "NO_COLOR" in os.environ,
        os.environ.get("RAY_ADDRESS"),
        # a one-way marker of which key was used, never the key itself
        None
        if key is None
        else hashlib.sha256(
            b"newslint-secured-key:" + key.encode("utf-8", "surrogateescape")
        ).hexdigest(),
        _is_terminal(sys.stdout),
        _is_terminal(sys.stderr),
        getattr(sys.stdout, "encoding", None),
        sys.warnoptions,  # -W / PYTHONWARNINGS: what a warning prints, or whether it raises
        sys.flags,
    ]
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogateescape")).hexdigest()


def stamp_text(path: str) -> str:
    try:
        return Stamp.of(os.stat(path)).text()
    except (OSError, ValueError):
        return "-"  # absent (or unreadable): recorded as such, so its appearing is noticed


def replay(argv: list[str], stdout: TextIO, stderr: TextIO) -> int | None:
    """Print a recorded run of ``argv`` whose stamps all still hold and return its exit
    code; None when there is none (the caller runs the full check)."""
    if os.environ.get(NO_REPLAY_ENV):
        return None
    invocation = parse_check(argv)
    if invocation is None:
        return None
    path = record_file(invocation)
    if path is None or not path.is_file():
        return None
    try:
        with closing(sqlite3.connect(path, timeout=5)) as db:
            row = db.execute(
                "SELECT stamps, printed, output_path, output, exit_code FROM runs WHERE id = ?",
                (identity(invocation),),
            ).fetchone()
    except sqlite3.Error:
        return None
    if row is None or not _cache_usable(path.parent):
        return None
    stamps_blob, printed, output_path, output, exit_code = row
    for stamped_path, text in marshal.loads(stamps_blob):
        if stamp_text(stamped_path) != text:
            return None
    if output_path is not None:
        try:
            with open(os.fsdecode(output_path), "wb") as handle:
                handle.write(output)
        except OSError:
            return None  # the full check reports why the report cannot be written
    streams = {1: stdout, 2: stderr}
    try:
        for number, text in marshal.loads(printed):
            streams[number].write(text)
        stdout.flush()
        stderr.flush()
    except BrokenPipeError:
        # As the full command does (click): a reader that stopped reading ends it quietly.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - flushed at exit, never closed
        return 1
    return int(exit_code)


class Recorder:
    """Collects, during a full check, what a later replay needs (see the module docstring)."""

    def __init__(self, invocation: Invocation) -> None:
        self.invocation = invocation
        # Both as a replay computes them, before the run imports anything (an import may
        # change sys.path: Ray's does).
        self.run_id = identity(invocation)
        self.target = record_file(invocation)
        self.started_ns = time.time_ns()
        self.pid = os.getpid()
        self.opened: set[str] = set()  # files read and folders listed (audit hook)
        self.inputs: set[str] = set()  # the files the run checked, as named on disk
        self.printed: list[tuple[int, str]] = []  # (1: standard output, 2: error; text)
        self.output_chars = 0
        self.refused: str | None = None  # why this run will not be recorded

    def audit(self, event: str, args: tuple[Any, ...]) -> None:
        """sys.addaudithook callback: the files opened for reading and folders listed."""
        if self.refused is not None or os.getpid() != self.pid:
            return  # a forked worker inherits the hook; only the driver's reads count
        if event == "open":
            target, mode, flags = args
            if mode is None:
                if flags & (os.O_WRONLY | os.O_RDWR):
                    return
            elif any(letter in mode for letter in "wax+"):
                return
        elif event not in ("os.scandir", "os.listdir"):
            return
        else:
            target = args[0]
        if isinstance(target, (str, bytes, os.PathLike)):
            self._note(self.opened, os.fsdecode(target))

    def checks(self, path: str) -> None:
        """The run checks the file at ``path`` (as found on disk, not as reported)."""
        if self.refused is None:
            self._note(self.inputs, path)

    def _note(self, into: set[str], path: str) -> None:
        into.add(path)
        if len(into) > MAX_PATHS:
            self.refuse(f"it depends on more than {MAX_PATHS} paths")

    def refuse(self, reason: str) -> None:
        self.refused = reason
        self.opened.clear()
        self.inputs.clear()
        self.printed.clear()

    def keep(self, number: int, text: str) -> None:
        if self.refused is not None or not text:
            return
        self.output_chars += len(text)
        if self.output_chars > MAX_OUTPUT_CHARS:
            self.refuse("its output is too large to keep")
            return
        self.printed.append((number, text))

    def finish(
        self,
        exit_code: int,
        rule_modules: Iterable[str],
        output_path: Path | None,
        unrepeatable: str | None = None,
    ) -> str | None:
        """Record the run, unless ``unrepeatable`` says why a re-run may print something
        else; the reason it was not recorded, or None."""
        if unrepeatable is not None:
            self.refuse(unrepeatable)
        if self.refused is not None:
            return self.refused
        if self.target is None:
            return "its cache folder cannot be found without the full configuration"
        try:
            return self._finish(exit_code, rule_modules, output_path, self.target)
        except (OSError, sqlite3.Error, UnicodeError, ValueError, TypeError) as error:
            return f"cannot record it in {self.target}: {error}"

    def _finish(
        self, exit_code: int, rule_modules: Iterable[str], output_path: Path | None, target: Path
    ) -> str | None:
        named = {*self.inputs, *(self.invocation.paths or ["."])}
        paths = {*self.opened, *named}
        paths.update(_module_files())
        paths.update(_package_files(rule_modules))
        paths.update(entry for entry in sys.path if isinstance(entry, str) and entry)
        if self.invocation.config is None:
            start = [Path(p) for p in self.invocation.paths] or [Path(".")]
            paths.update(str(c) for c in _discovery_candidates(start))
        output = None
        written: tuple[int, int] | None = None
        if output_path is not None:
            status = os.stat(output_path)
            if not stat.S_ISREG(status.st_mode):
                return f"its report went to {output_path}, which is not a regular file"
            if status.st_size + self.output_chars > MAX_OUTPUT_CHARS:
                return "its output is too large to keep"
            written = (status.st_dev, status.st_ino)
            output = output_path.read_bytes()
        stamps = []
        for path in sorted(paths):
            if _COMPILED in path:
                continue
            try:
                status = os.stat(path)
            except (OSError, ValueError):
                stamps.append((path, "-"))
                continue
            if path.startswith(_KERNEL) or not (
                stat.S_ISREG(status.st_mode) or stat.S_ISDIR(status.st_mode)
            ):
                if path in named or not (path.startswith(_KERNEL) or path in _HARMLESS_DEVICES):
                    return f"it read {path}, which is not a regular file or folder"
                continue
            if (status.st_dev, status.st_ino) == written:
                return f"its report {output_path} is also one of its inputs"
            stamp = Stamp.of(status)
            if not stamp.settled(SETTLED_NS, since_ns=self.started_ns):
                return f"{path} changed while it ran or just before"
            stamps.append((path, stamp.text()))
            if len(stamps) > MAX_PATHS:
                return f"it depends on more than {MAX_PATHS} paths"
        _store(
            target,
            self.run_id,
            marshal.dumps(stamps),
            marshal.dumps(self.printed),
            None if output_path is None else os.fsencode(output_path),
            output,
            exit_code,
        )
        return None


class _Tee:
    """A text stream that also keeps what is written to it, for the recorder."""

    def __init__(self, stream: TextIO, number: int, recorder: Recorder) -> None:
        self._stream = stream
        self._number = number
        self._recorder = recorder

    def write(self, text: str) -> int:
        written = self._stream.write(text)  # first: a bytes write must fail as it would
        self._recorder.keep(self._number, text)
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _store(target: Path, run_id: str, stamps: bytes, *rest: Any) -> None:
    if not target.parent.is_dir():
        return  # the result cache was not created (disabled): nothing to record beside
    try:
        _insert(target, run_id, stamps, *rest)
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.OperationalError):
            raise  # locked, full, read-only: the file itself may be fine
        target.unlink()  # not a database (torn, or copied badly): start it again
        _insert(target, run_id, stamps, *rest)


def _insert(target: Path, run_id: str, stamps: bytes, *rest: Any) -> None:
    with closing(sqlite3.connect(target, timeout=5, isolation_level=None)) as db:
        db.execute("PRAGMA auto_vacuum = FULL")  # evicted records give their space back
        db.execute(
            "CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, stamps BLOB NOT NULL, "
            "printed BLOB NOT NULL, output_path BLOB, output BLOB, "
            "exit_code INTEGER NOT NULL, recorded INTEGER NOT NULL)"
        )
        with db:
            db.execute("BEGIN")
            db.execute(
                "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run_id, stamps, *rest, time.time_ns()),
            )
            db.execute(
                "DELETE FROM runs WHERE id NOT IN "
                "(SELECT id FROM runs ORDER BY recorded DESC LIMIT ?)",
                (KEPT_RUNS,),
            )


def _cache_usable(folder: Path) -> bool:
    """Whether the full check could use the result cache in ``folder``; when it could not,
    it would say so, and a replay must not hide that."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("results-v") and entry.name.endswith(".sqlite"):
                    with open(entry.path, "rb") as handle:
                        head = handle.read(16)
                    if head and head != b"SQLite format 3\x00":
                        return False
    except OSError:
        return False
    return True


def _module_files() -> Iterator[str]:
    for module in list(sys.modules.values()):
        location = getattr(module, "__file__", None)
        if isinstance(location, str):
            yield location


def _package_files(module_names: Iterable[str]) -> Iterator[str]:
    """Every file of the top-level packages these modules belong to (data files included)."""
    tops = {name.partition(".")[0] for name in module_names}
    for top in sorted(tops):
        package = sys.modules.get(top)
        for folder in getattr(package, "__path__", None) or []:
            for parent, folders, files in os.walk(folder):
                folders[:] = sorted(f for f in folders if f != "__pycache__")
                yield parent
                for name in files:
                    yield os.path.join(parent, name)


def _discovery_candidates(start: list[Path]) -> Iterator[Path]:
    try:
        yield from config_candidates(common_folder(start))
    except OSError:
        return


def _tees_well(stream: Any) -> bool:
    """Whether everything printed to ``stream`` passes through its write(): click writes
    to the bytes buffer of a closed (None) or ASCII stream instead, which a _Tee misses."""
    encoding = getattr(stream, "encoding", None)
    if stream is None or not isinstance(encoding, str):
        return False
    try:
        return codecs.lookup(encoding).name != "ascii"
    except LookupError:
        return False


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


_active: Recorder | None = None


def recorder() -> Recorder | None:
    """The recorder of this process's check, when it may be recorded."""
    return _active


def start_recording(argv: list[str]) -> Recorder | None:
    """Watch this process's file reads for a check that may be replayed later."""
    global _active
    invocation = parse_check(argv)
    if invocation is None or not (_tees_well(sys.stdout) and _tees_well(sys.stderr)):
        return None
    _active = Recorder(invocation)
    sys.addaudithook(_active.audit)
    # Everything the run prints is kept, whoever prints it (a plugin's warning too).
    sys.stdout = _Tee(sys.stdout, 1, _active)
    sys.stderr = _Tee(sys.stderr, 2, _active)
    return _active


def main() -> int:
    """The `newslint` command: a recorded run when one still holds, else the full CLI."""
    argv = sys.argv[1:]
    code = replay(argv, sys.stdout, sys.stderr)
    if code is not None:
        return code
    start_recording(argv)
    from validator.cli import main as cli_main

    return cli_main()

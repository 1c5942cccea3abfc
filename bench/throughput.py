#!/usr/bin/env python3
"""Throughput, cache, memory and start-up benchmark of `newslint check`, against its targets.

    python bench/throughput.py [--records 10000] [--runs 3] [--big 100000] [--work DIR]
                               [--seed 1] [--cjs-files 500] [--json FILE] [--newslint PATH]
                               [--no-snapshot]

Generates the corpus with bench/generate.py (cached in --work, regenerated when the generator
changes), then measures, in this one run and on the same files:

  (a) floor   one process reading every file and loading its front matter with
              yaml.load(..., Loader=yaml.CSafeLoader) (split at the '---' lines);
  (b) cold    `newslint check --no-cache` (all default rules, default jobs = every core),
              `--format json -o FILE` so printing is not measured;
  (c) cache   the same with the result cache: one run to fill it, then warm re-runs on the
              unchanged corpus: first with NEWSLINT_NO_REPLAY=1 (each file served from the
              per-file cache), then as a user's re-run is (replayed: validator/replay.py);
  (d) check-jsonschema over the same front matter written as .yaml files, with
              schemas/news-record.schema.json, from a separate venv under --work (never the
              project's); on a subset of --cjs-files files, because it is slow;
  (e) one file: `newslint check seeds/000_00413085105cbbc0.txt` vs `check-jsonschema
              --schemafile ... one.yaml` (the same front matter), median of >= 5;
  (f) peak memory (max RSS of the largest process, from wait4) of newslint on --records and on
              --big records;
  (g) jobs scaling: -j 1 vs -j 2, cold, no cache.

The floor, the cold runs (-j default, -j 1, -j 2) and check-jsonschema are interleaved round
by round, so a burst of other load on the machine, or a slower spell of it, hits them all
alike. Every subprocess gets its wall time, its CPU time (user + system, children included)
and its max RSS; the machine's load average is recorded around every phase. Every newslint
report is checked against the planted defects of the corpus manifest, and the warm report
against the cold one.

The code under test is a copy of validator/, rules/ and schemas/ (and the installed entry
points) taken at the start and put first on PYTHONPATH, because other people edit and reinstall
the working tree while a long run goes on; --no-snapshot measures the live tree.

Prints min/median/max per measurement, then a table of ratios against the targets with PASS or
MISS for each; --json FILE writes all of it, raw runs included.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py, beside this file)

SEED_FILE = REPO / "seeds" / "000_00413085105cbbc0.txt"
SCHEMA = REPO / "schemas" / "news-record.schema.json"
ONE_FILE_RUNS = 5

FLOOR_SCRIPT = r"""
import os, sys, yaml
root = sys.argv[1]
files = errors = 0
for dirpath, dirnames, filenames in os.walk(root):
    dirnames.sort()
    for name in sorted(filenames):
        if not name.endswith(".txt"):
            continue
        with open(os.path.join(dirpath, name), encoding="utf-8") as handle:
            text = handle.read()
        files += 1
        if text.startswith("---\n"):
            end = text.find("\n---\n", 3)
            front = text[4 : end + 1] if end != -1 else ""
            try:
                yaml.load(front, Loader=yaml.CSafeLoader)
            except (yaml.YAMLError, ValueError):  # e.g. an unquoted 2020-02-30T10:00:00Z
                errors += 1
print(files, errors)
"""


# ---------------------------------------------------------------------------------------------
# Running and measuring one subprocess


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and its (reaped) children
    maxrss_kb: int  # max RSS of the largest single process in the tree (wait4)
    tree_peak_kb: int  # sampled peak of the summed RSS of the whole process tree (0: not sampled)
    exit_code: int
    load_before: float  # 1-minute load average when it started
    stdout_tail: str = ""
    stderr_tail: str = ""
    # The largest VmHWM (peak RSS since its exec) of any process of the tree, sampled. wait4's
    # figure also counts the pages a child had before its exec, copied from this script at
    # fork: after a 100k-record manifest is loaded, that alone is larger than newslint.
    process_peak_kb: int = 0


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(p) for p in handle.read().split()]
    except OSError:
        pass
    return found


def _tree_rss_kb(root: int) -> tuple[int, int]:
    """(summed RSS of the tree, largest VmHWM of one of its processes), in KiB."""
    total, largest, todo, page_kb = 0, 0, [root], os.sysconf("SC_PAGE_SIZE") // 1024
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * page_kb
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        largest = max(largest, int(line.split()[1]))
        except (OSError, IndexError, ValueError):
            continue
        todo += _children(pid)
    return total, largest


def _tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def run(
    cmd: list[str],
    cwd: Path | None = None,
    sample_tree: bool = False,
    env: dict[str, str] | None = None,
) -> Run:
    """Run cmd to completion with its output in files; wall, CPU and max RSS from wait4."""
    with tempfile.TemporaryDirectory(prefix="nlbench-") as scratch:
        out_path, err_path = Path(scratch, "out"), Path(scratch, "err")
        with out_path.open("wb") as out, err_path.open("wb") as err:
            load = os.getloadavg()[0]
            started = time.perf_counter()
            proc = subprocess.Popen(
                cmd, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL
            )
            peak = [0, 0]
            done = threading.Event()

            def sample() -> None:
                while not done.wait(0.05):
                    total, largest = _tree_rss_kb(proc.pid)
                    peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)

            sampler = threading.Thread(target=sample, daemon=True) if sample_tree else None
            if sampler:
                sampler.start()
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - started
            done.set()
            if sampler:
                sampler.join()
            proc.returncode = os.waitstatus_to_exitcode(status)
        return Run(
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            maxrss_kb=usage.ru_maxrss,
            tree_peak_kb=peak[0],
            process_peak_kb=peak[1],
            exit_code=proc.returncode,
            load_before=load,
            stdout_tail=_tail(out_path),
            stderr_tail=_tail(err_path),
        )


@dataclass
class Series:
    name: str
    units: int  # records (or files) per run, for rates
    runs: list[Run] = field(default_factory=list)

    def add(self, result: Run, ok_codes: tuple[int, ...] = (0, 1)) -> Run:
        self.runs.append(result)
        if result.exit_code not in ok_codes:
            print(f"    !! {self.name}: exit {result.exit_code}\n{result.stderr_tail}", flush=True)
        return result

    def walls(self) -> list[float]:
        return [r.wall for r in self.runs]

    def median(self) -> float:
        return statistics.median(self.walls())

    def cpu_median(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    def rate(self) -> float:
        return self.units / self.median()

    def line(self) -> str:
        walls = self.walls()
        text = (
            f"  {self.name:<34} n={len(walls)}  wall min/med/max "
            f"{min(walls):7.2f} / {statistics.median(walls):7.2f} / {max(walls):7.2f} s"
            f"  cpu med {self.cpu_median():7.2f} s"
        )
        if self.units > 1:
            text += f"  {self.rate():9.1f} /s"
        return text

    def summary(self) -> dict[str, Any]:
        walls = self.walls()
        return {
            "units": self.units,
            "wall_min": min(walls),
            "wall_median": statistics.median(walls),
            "wall_max": max(walls),
            "cpu_median": self.cpu_median(),
            "per_second": self.units / statistics.median(walls),
            "maxrss_kb_median": statistics.median(r.maxrss_kb for r in self.runs),
            "runs": [asdict(r) for r in self.runs],
        }


# ---------------------------------------------------------------------------------------------
# Corpus, configuration and report checks


def log(text: str = "") -> None:
    print(text, flush=True)


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def ensure_corpus(work: Path, records: int, seed: int) -> tuple[Path, dict[str, Any]]:
    folder = work / f"corpus-{records}-s{seed}"
    manifest_path = folder / "manifest.json"
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if (
            manifest.get("source_digest") == generate.source_digest()
            and manifest.get("records") == records
            and manifest.get("seed") == seed
        ):
            log(f"corpus: {folder} (cached, {records} records)")
            return folder, manifest
    log(f"corpus: generating {records} records in {folder} ...")
    manifest = generate.generate(folder, records, seed)
    size = sum(p.stat().st_size for p in (folder / "txt").rglob("*.txt"))
    log(
        f"corpus: {records} records, {size / 1e6:.1f} MB, generated in {manifest['seconds']:.1f} s"
        f" ({manifest['defects']} with a defect, {manifest['boilerplate_records']} with boilerplate)"
    )
    return folder, manifest


def write_config(folder: Path, cache_name: str) -> Path:
    """An explicit config per corpus: no config discovery, and the cache where we want it."""
    path = folder / "newslint-bench.toml"
    path.write_text(f'cache-dir = "{cache_name}"\n', encoding="utf-8")
    return path


def check_report(report_path: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Compare a JSON report with what the generator planted."""
    report = json.loads(report_path.read_text(encoding="utf-8"))
    by_file: dict[str, list[dict[str, Any]]] = {}
    for finding in report["findings"]:
        by_file.setdefault(Path(finding["path"]).name, []).append(finding)
    missed, false_alarms, boiler_missed = [], [], []
    for entry in manifest["entries"]:
        name = Path(entry["path"]).name
        found = by_file.get(name, [])
        errors = [f for f in found if f["severity"] == "error"]
        if entry["defect"] and not errors:
            missed.append(f"{name} ({entry['defect']})")
        if entry["boilerplate"] and not any(f["rule"] == "boilerplate/phrase" for f in found):
            boiler_missed.append(name)
        if not entry["defect"] and not entry["boilerplate"] and found:
            false_alarms.append(f"{name}: {found[0]['rule']}: {found[0]['message'][:90]}")
    return {
        "summary": report["summary"],
        "files": len(report.get("files", [])),
        "defects_missed": missed,
        "boilerplate_missed": boiler_missed,
        "clean_records_flagged": false_alarms,
        "findings_key": sorted(
            (f["path"], f["rule"], f["line"], f["column"], f["message"]) for f in report["findings"]
        ),
    }


def describe_check(name: str, checked: dict[str, Any], manifest: dict[str, Any]) -> None:
    summary = checked["summary"]
    log(
        f"    {name} report: {summary['files']} files, {summary['findings']} findings "
        f"{summary['by_rule']}"
    )
    for label, key, planted in (
        ("defects not reported as errors", "defects_missed", manifest["defects"]),
        ("boilerplate records without boilerplate/phrase", "boilerplate_missed", None),
        ("clean records with findings", "clean_records_flagged", None),
    ):
        items = checked[key]
        of = f" of {planted}" if planted is not None else ""
        log(f"    {label}: {len(items)}{of}" + (f"  e.g. {items[:3]}" if items else ""))


def git_state() -> str:
    try:
        rev = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        untracked = subprocess.run(
            ["git", "-C", str(REPO), "ls-files", "--others", "--exclude-standard", "rules"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    notes = []
    if dirty:
        notes.append("modified tracked files")
    if untracked:
        notes.append("untracked " + ", ".join(untracked))
    return rev + (f" + {'; '.join(notes)}" if notes else "")


# ---------------------------------------------------------------------------------------------
# check-jsonschema (d, e)


def ensure_check_jsonschema(work: Path) -> tuple[Path | None, str]:
    venv = work / "cjs-venv"
    exe = venv / "bin" / "check-jsonschema"
    if exe.is_file():
        return exe, "installed earlier in " + str(venv)
    log(f"check-jsonschema: pip install into {venv} (a separate venv, not the project's) ...")
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300
        )
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "check-jsonschema"],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        detail = getattr(error, "stderr", b"") or b""
        if isinstance(detail, bytes):
            detail = detail.decode(errors="replace")
        return None, f"not installable ({error}): {detail.strip()[-300:]}"
    return exe, "installed now in " + str(venv)


def front_matter(text: str) -> str:
    if not text.startswith("---\n"):
        return ""
    end = text.find("\n---\n", 3)
    return text[4 : end + 1] if end != -1 else ""


def write_yaml_copies(corpus: Path, files: list[Path]) -> list[Path]:
    """The front matter of each file as <corpus>/yaml/<shard>/<name>.yaml (cached)."""
    out = []
    for path in files:
        target = corpus / "yaml" / path.parent.name / (path.stem + ".yaml")
        if not target.is_file() or target.stat().st_mtime < path.stat().st_mtime:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(front_matter(path.read_text(encoding="utf-8")), encoding="utf-8")
        out.append(target)
    return out


# ---------------------------------------------------------------------------------------------
# The targets


@dataclass
class Target:
    name: str
    measured: float | None
    goal: str  # ">= 2" or "<= 0.5"
    detail: str
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.measured is None:
            return "SKIP"
        op, _, number = self.goal.partition(" ")
        limit = float(number)
        ok = self.measured >= limit if op == ">=" else self.measured <= limit
        return "PASS" if ok else "MISS"


def print_targets(targets: list[Target]) -> None:
    log()
    log("=" * 100)
    log("TARGETS")
    log(f"  {'target':<44} {'measured':>10}  {'goal':>7}  {'':4}  how")
    for target in targets:
        measured = "n/a" if target.measured is None else f"{target.measured:.3g}x"
        log(
            f"  {target.name:<44} {measured:>10}  {target.goal + 'x':>7}  {target.verdict:4}  "
            f"{target.detail}"
        )
        for note in target.note.splitlines():
            log(f"  {'':<44} {'':>10}  {'':>7}  {'':4}  {note}")
    misses = [t.name for t in targets if t.verdict == "MISS"]
    skips = [t.name for t in targets if t.verdict == "SKIP"]
    log(
        f"  {sum(t.verdict == 'PASS' for t in targets)} PASS, {len(misses)} MISS"
        + (f" ({'; '.join(misses)})" if misses else "")
        + (f", {len(skips)} SKIP ({'; '.join(skips)})" if skips else "")
    )


# ---------------------------------------------------------------------------------------------


def make_snapshot(work: Path, python: Path) -> tuple[dict[str, str], Path]:
    """Freeze the code under test: other people edit validator/ and rules/ (and reinstall)
    while a long benchmark runs, so every run uses a copy taken now, put first on
    PYTHONPATH, with a copy of the installed distribution metadata (the rule entry points)."""
    snap = work / "snapshot"
    shutil.rmtree(snap, ignore_errors=True)
    snap.mkdir(parents=True)
    for part in ("validator", "rules", "schemas"):
        shutil.copytree(
            REPO / part, snap / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m; print(m.distribution('newslint')._path)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    shutil.copytree(where, snap / Path(where).name)
    env = {**os.environ, "PYTHONPATH": str(snap)}
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import validator, rules, importlib.metadata as m; print(validator.__file__); "
            "print(len(m.entry_points(group='newslint.rules')))",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=work,  # not the repo: `python -c` puts the working folder first on sys.path
    ).stdout.split()
    if not probe or not probe[0].startswith(str(snap)):
        sys.exit(f"the snapshot in {snap} is not the code that runs: {probe}")
    return env, snap


def find_newslint(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    venv = REPO / ".venv" / "bin" / "newslint"
    if venv.is_file():
        return venv
    found = shutil.which("newslint")
    if not found:
        sys.exit("newslint not found: pass --newslint PATH")
    return Path(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big", type=int, default=100_000, help="records for (f); 0: skip")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "newslint-bench")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cjs-files", type=int, default=500, help="files for check-jsonschema's throughput"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--newslint", help="newslint executable (default: the repo's .venv)")
    parser.add_argument(
        "--no-snapshot",
        action="store_true",
        help="run the live working tree instead of a copy taken at the start",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.records < 1:
        parser.error("--runs and --records must be at least 1")

    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    newslint = find_newslint(args.newslint)
    python = newslint.parent / "python"  # the venv's interpreter, with PyYAML and libyaml
    cores = len(os.sched_getaffinity(0))
    version = subprocess.run(
        [str(newslint), "--version"], capture_output=True, text=True
    ).stdout.strip()
    results: dict[str, Any] = {
        "environment": {
            "cores": cores,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "newslint": version,
            "newslint_path": str(newslint),
            "git": git_state(),
            "load_at_start": os.getloadavg(),
        },
        "parameters": {
            "records": args.records,
            "runs": args.runs,
            "big": args.big,
            "seed": args.seed,
            "work": str(work),
        },
        "series": {},
        "checks": {},
        "notes": [],
    }
    env = results["environment"]
    log(f"newslint benchmark: {env['newslint']} ({newslint}), git {env['git']}")
    log(
        f"machine: {cores} cores, {platform.platform()}, Python {env['python']}; {load_text()} "
        "(other work on this machine shares the cores: compare wall with cpu below)"
    )

    schema = SCHEMA
    nl_env: dict[str, str] | None = None
    if not args.no_snapshot:
        nl_env, snap = make_snapshot(work, python)
        schema = snap / "schemas" / SCHEMA.name
        log(f"code under test: a snapshot of validator/, rules/, schemas/ in {snap}")
    rules_listing = subprocess.run(
        [str(newslint), "rules"], capture_output=True, text=True, env=nl_env
    ).stdout.splitlines()  # also compiles the snapshot's .pyc before anything is timed
    log(f"rules: {len(rules_listing)} ({', '.join(line.split()[0] for line in rules_listing)})")
    results["environment"]["rules"] = [line.split()[0] for line in rules_listing]
    results["environment"]["snapshot"] = not args.no_snapshot

    corpus, manifest = ensure_corpus(work, args.records, args.seed)
    results["parameters"]["corpus_generation_seconds"] = manifest["seconds"]
    txt = corpus / "txt"
    config = write_config(corpus, "cache")
    n = args.records
    base = [str(newslint), "check", "--config", str(config), "--format", "json"]
    report = corpus / "report.json"
    report_cold = corpus / "report-cold.json"

    def newslint_cmd(*extra: str, out: Path = report) -> list[str]:
        return [*base, "-o", str(out), *extra, str(txt)]

    # check-jsonschema, set up here so that its runs are interleaved with the others ----------
    cjs_exe, cjs_note = ensure_check_jsonschema(work)
    results["notes"].append(f"check-jsonschema: {cjs_note}")
    all_files = sorted(txt.rglob("*.txt"))
    cjs_series = None
    cjs_command: list[str] = []
    cjs_subset_note = ""
    if cjs_exe is not None:
        count = min(args.cjs_files, len(all_files))
        step = max(1, len(all_files) // count)
        subset = all_files[::step][:count]
        yaml_files = write_yaml_copies(corpus, subset)
        cjs_series = Series(f"(d) check-jsonschema, {count} files", count)
        cjs_command = [str(cjs_exe), "--schemafile", str(schema), *map(str, yaml_files)]
        cjs_subset_note = (
            f"check-jsonschema measured on a subset of {count} of {len(all_files)} files "
            f"(1 in {step}; it is slow), in each round of (a)(b)(g)"
            if count < len(all_files)
            else f"check-jsonschema measured on all {count} files, in each round of (a)(b)(g)"
        )
        results["notes"].append(cjs_subset_note)

    # (a), (b), (g) and (d) interleaved ----------------------------------------------------
    floor = Series("(a) floor: read + CSafeLoader", n)
    cold = Series(f"(b) cold --no-cache, default -j{cores}", n)
    j1 = Series("(g) cold --no-cache -j 1", n)
    j2 = cold if cores == 2 else Series("(g) cold --no-cache -j 2", n)
    log()
    log(
        f"(a)(b)(g)(d) {args.runs} rounds, each: floor, cold default jobs, -j 1, -j 2, "
        f"check-jsonschema  [{load_text()}]"
    )
    if j2 is cold:
        log("    (-j 2 is the default here: (g) reuses the (b) runs)")
    cold_check = None
    for round_number in range(args.runs):
        result = floor.add(run([str(python), "-c", FLOOR_SCRIPT, str(txt)]))
        files, bad = (int(x) for x in result.stdout_tail.split()[:2])
        if round_number == 0:
            log(f"    floor read {files} files; {bad} front matters did not load (bad dates)")
        first = cold_check is None
        out = report_cold if first else report
        cold.add(run(newslint_cmd("--no-cache", out=out), sample_tree=True, env=nl_env))
        if first:
            cold_check = check_report(report_cold, manifest)
            describe_check("cold", cold_check, manifest)
        j1.add(run(newslint_cmd("--no-cache", "-j", "1"), env=nl_env))
        if j2 is not cold:
            j2.add(run(newslint_cmd("--no-cache", "-j", "2"), env=nl_env))
        if cjs_series is not None:
            cjs_series.add(run(cjs_command))
        log(
            f"    round {round_number + 1}: floor {floor.runs[-1].wall:.2f} s, "
            f"cold {cold.runs[-1].wall:.2f} s, -j1 {j1.runs[-1].wall:.2f} s"
            + (f", -j2 {j2.runs[-1].wall:.2f} s" if j2 is not cold else "")
            + (f", check-jsonschema {cjs_series.runs[-1].wall:.2f} s" if cjs_series else "")
            + f"  [{load_text()}]"
        )
    assert cold_check is not None
    results["checks"]["cold"] = {k: v for k, v in cold_check.items() if k != "findings_key"}

    # (c) cache --------------------------------------------------------------------------------
    log()
    log(f"(c) result cache: fill once, then {args.runs} warm runs  [{load_text()}]")
    shutil.rmtree(corpus / "cache", ignore_errors=True)
    fill = Series("(c) cache fill (cold + writes)", n)
    fill_report = corpus / "report-fill.json"
    fill.add(run(newslint_cmd(out=fill_report), env=nl_env))
    no_replay_env = dict(os.environ if nl_env is None else nl_env, NEWSLINT_NO_REPLAY="1")
    warm_files = Series("(c) warm, per-file cache (NEWSLINT_NO_REPLAY=1)", n)
    warm_report = corpus / "report-warm.json"
    for _ in range(args.runs):
        warm_files.add(run(newslint_cmd(out=warm_report), env=no_replay_env))
    warm = Series("(c) warm re-run, replayed", n)
    for _ in range(args.runs):  # the last run above recorded itself; these replay it
        warm.add(run(newslint_cmd(out=warm_report), env=nl_env))
    warm_check = check_report(warm_report, manifest)
    fill_check = check_report(fill_report, manifest)
    for label, other in (("cold", cold_check), ("cache fill", fill_check)):
        same = warm_check["findings_key"] == other["findings_key"]
        log(f"    warm findings identical to {label}: {same}")
        results["checks"][f"warm_identical_to_{label.replace(' ', '_')}"] = same
        if not same:
            only_warm = sorted(set(warm_check["findings_key"]) - set(other["findings_key"]))
            only_other = sorted(set(other["findings_key"]) - set(warm_check["findings_key"]))
            log(f"      only in warm: {len(only_warm)} e.g. {only_warm[:2]}")
            log(f"      only in {label}: {len(only_other)} e.g. {only_other[:2]}")
    cache_files = list((corpus / "cache").glob("*"))
    cache_bytes = sum(p.stat().st_size for p in cache_files if p.is_file())
    log(f"    cache size: {cache_bytes / 1e6:.1f} MB for {n} files")
    results["checks"]["cache_bytes"] = cache_bytes

    # (d) check-jsonschema throughput (measured in the rounds above) --------------------------
    log()
    log(f"(d) check-jsonschema  [{load_text()}]")
    log(f"    check-jsonschema: {cjs_note}")
    if cjs_series is not None:
        log(f"    {cjs_subset_note}")
    else:
        log("    SKIPPED: check-jsonschema could not be installed; (d) and (e) have no figure")

    # (e) one file -----------------------------------------------------------------------------
    log()
    log(f"(e) one file: {SEED_FILE.relative_to(REPO)}  [{load_text()}]")
    one = work / "one"
    one.mkdir(exist_ok=True)
    one_config = write_config(one, "cache")
    one_yaml = one / "one.yaml"
    one_yaml.write_text(front_matter(SEED_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    one_runs = max(ONE_FILE_RUNS, args.runs)
    one_nl = Series("(e) newslint check SEED (re-run, replayed)", 1)
    one_nl_noreplay = Series("(e) newslint check SEED, per-file cache (NEWSLINT_NO_REPLAY=1)", 1)
    one_nl_nocache = Series("(e) newslint check --no-cache SEED", 1)
    one_noreplay_env = dict(os.environ if nl_env is None else nl_env, NEWSLINT_NO_REPLAY="1")
    one_cjs = Series("(e) check-jsonschema one.yaml", 1) if cjs_exe else None
    nl_one = [str(newslint), "check", "--config", str(one_config), str(SEED_FILE)]
    nl_one_nocache = [*nl_one[:-1], "--no-cache", str(SEED_FILE)]
    cjs_one = [str(cjs_exe), "--schemafile", str(schema), str(one_yaml)] if cjs_exe else []
    time.sleep(2.1)  # files written in the last 2 s are not trusted by stamp (validator/stamp.py)
    for command in (nl_one, nl_one_nocache, cjs_one):  # warm-up: page cache, .pyc, cache fill
        if command:
            run(command, env=None if command is cjs_one else nl_env)
    for _ in range(one_runs):
        one_nl_noreplay.add(run(nl_one, env=one_noreplay_env))
        one_nl.add(run(nl_one, env=nl_env))
        one_nl_nocache.add(run(nl_one_nocache, env=nl_env))
        if one_cjs is not None:
            one_cjs.add(run(cjs_one))

    # (f) memory at --big ------------------------------------------------------------------------
    big_series = None
    if args.big > 0:
        log()
        log(f"(f) peak memory at {args.big} records  [{load_text()}]")
        big_corpus, big_manifest = ensure_corpus(work, args.big, args.seed)
        results["parameters"]["big_generation_seconds"] = big_manifest["seconds"]
        big_config = write_config(big_corpus, "cache")
        big_report = big_corpus / "report.json"
        big_series = Series(f"(f) cold --no-cache, {args.big} records", args.big)
        big_series.add(
            run(
                [
                    str(newslint),
                    "check",
                    "--config",
                    str(big_config),
                    "--format",
                    "json",
                    "-o",
                    str(big_report),
                    "--no-cache",
                    str(big_corpus / "txt"),
                ],
                sample_tree=True,
                env=nl_env,
            )
        )
        big_check = check_report(big_report, big_manifest)
        describe_check("big", big_check, big_manifest)
        results["checks"]["big"] = {k: v for k, v in big_check.items() if k != "findings_key"}
        log(f"    [{load_text()}]")

    # Results --------------------------------------------------------------------------------
    every = [floor, cold, j1, fill, warm_files, warm, one_nl, one_nl_noreplay, one_nl_nocache]
    if j2 is not cold:
        every.insert(3, j2)
    every += [s for s in (cjs_series, one_cjs, big_series) if s is not None]
    log()
    log("=" * 100)
    log(
        f"RESULTS ({n} records, {args.runs} runs; {cores} cores shared with other work: "
        f"{load_text()} at the end)"
    )
    for series in every:
        log(series.line())
        results["series"][series.name] = series.summary()

    cold_rss = statistics.median(r.maxrss_kb for r in cold.runs)
    cold_tree = statistics.median(r.tree_peak_kb for r in cold.runs)
    cold_peak = statistics.median(r.process_peak_kb for r in cold.runs)
    log()
    log(
        f"  memory, {n} records (cold runs, median): peak RSS {cold_peak / 1024:.0f} MiB "
        f"(largest process, VmHWM); wait4 max RSS {cold_rss / 1024:.0f} MiB; whole tree peak "
        f"{cold_tree / 1024:.0f} MiB (sampled)"
    )
    mem_ratio = None
    if big_series is not None:
        big_run = big_series.runs[0]
        mem_ratio = big_run.process_peak_kb / cold_peak if cold_peak else None
        log(
            f"  memory, {args.big} records: peak RSS {big_run.process_peak_kb / 1024:.0f} MiB "
            f"(largest process, VmHWM); wait4 max RSS {big_run.maxrss_kb / 1024:.0f} MiB "
            f"({big_run.maxrss_kb / cold_rss:.2f}x, inflated by what the benchmark held at fork)"
        )
        tree_ratio = big_run.tree_peak_kb / cold_tree if cold_tree else float("nan")
        log(
            f"  memory, {args.big} records: tree peak {big_run.tree_peak_kb / 1024:.0f} MiB  -> "
            f"ratio {mem_ratio or 0:.2f}x (tree {tree_ratio:.2f}x)"
        )
        log(
            f"  throughput at {args.big}: {big_series.rate():.1f} records/s vs {cold.rate():.1f} "
            f"at {n} ({big_series.rate() / cold.rate():.2f}x)"
        )
    scaling = j1.median() / j2.median()
    log(
        f"  jobs scaling: -j1 {j1.median():.2f} s -> -j2 {j2.median():.2f} s: speed-up "
        f"{scaling:.2f}x (efficiency {scaling / 2:.0%}); cpu -j1 {j1.cpu_median():.1f} s, "
        f"-j2 {j2.cpu_median():.1f} s"
    )
    log(
        f"  per record: {cold.cpu_median() / n * 1000:.2f} ms cpu newslint (cold) vs "
        f"{floor.cpu_median() / n * 1000:.2f} ms floor"
    )
    log(f"  cache fill costs {fill.median() / cold.median():.2f}x a cold --no-cache run")

    def cjs_marginal() -> float:
        """check-jsonschema's files/s once started: its one-file time taken out."""
        assert cjs_series is not None and one_cjs is not None
        spent = cjs_series.median() - one_cjs.median()
        return (cjs_series.units - 1) / spent if spent > 0 else 0.0

    cold_vs_floor = cold.rate() / floor.rate()
    # CPU-based figures: what the ratios would be without other load on the machine.
    cold_ms = cold.cpu_median() / n * 1000
    floor_ms = floor.cpu_median() / n * 1000
    targets = [
        Target(
            "cold check / floor (records/s)",
            cold_vs_floor,
            ">= 2",
            f"{cold.rate():.0f} vs {floor.rate():.0f} records/s "
            f"(newslint takes {1 / cold_vs_floor:.1f}x the floor's time)",
            f"cpu: {cold_ms:.2f} vs {floor_ms:.2f} ms a record; with all {cores} cores to itself "
            f"at most {cores * floor_ms / cold_ms:.2f}x",
        ),
    ]
    if cjs_series is not None:
        targets.append(
            Target(
                "newslint / check-jsonschema (files/s)",
                cold.rate() / cjs_series.rate(),
                ">= 20",
                f"{cold.rate():.0f} vs {cjs_series.rate():.0f} files/s",
                f"with -j 1: {j1.rate() / cjs_series.rate():.1f}x (check-jsonschema uses one core)"
                + (
                    f"; without its start-up ({one_cjs.median():.2f} s): "
                    f"{cold.rate() / marginal:.1f}x"
                    if one_cjs is not None and (marginal := cjs_marginal()) > 0
                    else ""
                )
                + f"\ncpu: {cjs_series.cpu_median() / cjs_series.units * 1000:.2f} ms a file vs "
                f"{cold_ms:.2f} ms a record; with all {cores} cores to itself at most "
                f"{cores * cjs_series.cpu_median() / cjs_series.units * 1000 / cold_ms:.1f}x",
            )
        )
    else:
        targets.append(
            Target("newslint / check-jsonschema (files/s)", None, ">= 20", "not installable")
        )
    targets.append(
        Target(
            "warm / cold (speed-up)",
            cold.median() / warm.median(),
            ">= 20",
            f"{cold.median():.2f} s cold vs {warm.median():.2f} s warm",
            f"cpu: {cold.cpu_median():.1f} s vs {warm.cpu_median():.2f} s: "
            f"{cold.cpu_median() / warm.cpu_median():.1f}x; with all {cores} cores to itself "
            f"at least {cold.cpu_median() / cores / warm.cpu_median():.1f}x\n"
            f"not replayed (per-file cache, another command line): {warm_files.median():.2f} s,"
            f" {cold.median() / warm_files.median():.1f}x",
        )
    )
    if one_cjs is not None:
        targets.append(
            Target(
                "one file: newslint / check-jsonschema (time)",
                one_nl.median() / one_cjs.median(),
                "<= 0.5",
                f"{one_nl.median() * 1000:.0f} ms vs {one_cjs.median() * 1000:.0f} ms (median of "
                f"{one_runs})",
                f"not replayed (per-file cache): {one_nl_noreplay.median() * 1000:.0f} ms, "
                f"{one_nl_noreplay.median() / one_cjs.median():.2f}x; "
                f"with --no-cache: {one_nl_nocache.median() * 1000:.0f} ms, "
                f"{one_nl_nocache.median() / one_cjs.median():.2f}x\n"
                f"cpu: {one_nl.cpu_median() * 1000:.0f} vs {one_cjs.cpu_median() * 1000:.0f} ms: "
                f"{one_nl.cpu_median() / one_cjs.cpu_median():.2f}x",
            )
        )
    else:
        targets.append(
            Target("one file: newslint / check-jsonschema (time)", None, "<= 0.5", "no cjs")
        )
    targets.append(
        Target(
            f"peak memory {args.big or '--big'} / {n} records",
            mem_ratio,
            "<= 1.5",
            (
                f"peak RSS of the largest process {big_series.runs[0].process_peak_kb / 1024:.0f}"
                f" vs {cold_peak / 1024:.0f} MiB (VmHWM)"
                if big_series is not None
                else "skipped (--big 0)"
            ),
            (
                f"whole process tree: {big_series.runs[0].tree_peak_kb / 1024:.0f} vs "
                f"{cold_tree / 1024:.0f} MiB, "
                f"{big_series.runs[0].tree_peak_kb / cold_tree if cold_tree else 0:.2f}x; "
                f"wait4 max RSS {big_series.runs[0].maxrss_kb / 1024:.0f} vs "
                f"{cold_rss / 1024:.0f} MiB"
                if big_series is not None
                else ""
            ),
        )
    )
    print_targets(targets)
    results["targets"] = [{**asdict(t), "verdict": t.verdict} for t in targets]
    results["environment"]["load_at_end"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
        log(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

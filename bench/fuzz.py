#!/usr/bin/env python3
"""Fuzz newslint: generated hostile inputs, checked in batches in-process, invariants asserted.

    python bench/fuzz.py [--inputs 100000] [--seed N] [--batch 500] [--time-limit-per-batch S]
                         [--jobs J] [--determinism-every K] [--sizes bench|test]
                         [--kinds mutated,broken_yaml,...] [--repro-dir DIR] [--json FILE]
    python bench/fuzz.py --dump SEED:BATCH:INPUT [--sizes ...]   # write one input to a file

Inputs come from the generators in tests/fuzz/strategies.py (random bytes, truncated and
mutated real records, broken YAML, odd encodings, huge lines, deep nesting, many keys, alias
bombs, huge numbers, control characters, degenerate files), each driven by its own
``random.Random(f"{seed}:{batch}:{input}")``: a run is reproducible, and any input can be
regenerated alone with --dump.

Each batch is written to a temporary folder (with a newslint.toml; every fourth batch uses
tight limits, every other one a secured key) and checked by one ``validator.app.check`` call
(engine jobs=1: the batches themselves run in --jobs worker processes). The invariants are
those of tests/fuzz (``invariant_violations``): check() never raises; every input appears in
result.files exactly once; exit code 0 or 1, no internal/rule-crash, result.crashed False;
every finding has line >= 1 (and not past the end of its file), column >= 1, a message and a
registered rule and code; every report format renders and the JSON report validates against
schemas/report.schema.json. Every --determinism-every'th batch is checked again, in turn:
the same run repeated, a cold-then-warm result cache, and the engine's process pool (jobs=2);
all must give identical findings.

A batch over --time-limit-per-batch, or whose worker process dies, is re-run one input at a
time to find the input responsible. Reproducers (the input file, and a .txt with the
violation or traceback) go to --repro-dir (default: a new folder under the temp dir, named
at the end). Exit status 1 if any crash or violation was found (known bugs included), else 0.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter, deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from random import Random
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.fuzz import strategies as S  # noqa: E402
from validator.engine import display_path  # noqa: E402

SIZES = {"bench": S.BENCH_SIZES, "test": S.TEST_SIZES}
DETERMINISM_MODES = ("repeat", "cache", "jobs2")
REPRO_PER_BATCH = 3


# --- inputs and settings of one batch (pure functions of seed and index) -------------------


def input_rng(seed: int, batch: int, index: int) -> Random:
    return Random(f"newslint-fuzz:{seed}:{batch}:{index}")


def make_input(
    seed: int, batch: int, index: int, sizes: S.Sizes, kinds: list[str]
) -> tuple[str, str, bytes]:
    rng = input_rng(seed, batch, index)
    kind = rng.choice(kinds) if len(kinds) < len(S.KINDS) else None
    return S.generate(rng, sizes, kind)


def batch_settings(batch: int) -> tuple[str, bool]:
    """(newslint.toml text, with a secured key) for a batch."""
    return (S.TIGHT_CONFIG if batch % 4 == 3 else ""), batch % 2 == 1


# --- worker side ---------------------------------------------------------------------------


@dataclass
class Task:
    mode: str  # "batch" | "locate" | "profile" (locate that only times inputs)
    batch: int
    count: int
    start: int = 0  # locate: first input to try
    determinism: str | None = None
    stop_after: int = 0  # locate: stop after this many culprits (0: run all, time each)


@dataclass
class Culprit:
    index: int
    kind: str
    what: str  # "crash" | "violation" | "timeout" | "died"
    messages: list[str]
    reproducer: str | None = None


@dataclass
class BatchResult:
    batch: int
    inputs: int
    seconds: float = 0.0  # check() of the whole batch, wall clock
    cpu_seconds: float = 0.0  # the worker's CPU for the batch: generate, write, check, verify
    kinds: Counter[str] = field(default_factory=Counter)
    findings_by_rule: Counter[str] = field(default_factory=Counter)
    inputs_by_rule: Counter[str] = field(default_factory=Counter)
    findings_per_input: list[int] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)  # messages, path-stripped
    inputs_with_violations: int = 0
    crashes: list[Culprit] = field(default_factory=list)
    culprits: list[Culprit] = field(default_factory=list)
    input_seconds: list[tuple[float, int, str, int]] = field(default_factory=list)
    determinism: str | None = None
    note: str = ""


class Batch:
    """One batch's inputs, written to a temporary folder configured for the batch."""

    def __init__(self, options: argparse.Namespace, batch: int, count: int) -> None:
        self.options = options
        self.batch = batch
        self.inputs = [
            make_input(options.seed, batch, i, SIZES[options.sizes], options.kind_list)
            for i in range(count)
        ]
        self._tmp = tempfile.TemporaryDirectory(prefix=f"newslint-fuzz-b{batch}-")
        self.folder = Path(self._tmp.name)
        self.config, self.key = batch_settings(batch)
        S.prepare_folder(self.folder, self.config, self.key)
        self.paths = S.write_inputs(self.folder, [(s, c) for _, s, c in self.inputs])
        self.index_of = {display_path(p): i for i, p in enumerate(self.paths)}

    def close(self) -> None:
        self._tmp.cleanup()

    def contents(self, indexes: list[int] | None = None) -> list[bytes]:
        return [
            self.inputs[i][2] for i in (indexes if indexes is not None else range(len(self.inputs)))
        ]

    def single(self, index: int) -> tuple[list[str], str | None]:
        """(violations, traceback) of input ``index`` checked alone."""
        path = self.paths[index]
        try:
            run = S.run_newslint([path])
        except Exception as error:
            return [S.describe_exception(error)], traceback.format_exc()
        return (
            S.invariant_violations(
                run, [path], [self.inputs[index][2]], self.options.max_render_seconds
            ),
            None,
        )

    def save(self, culprit: Culprit) -> Culprit:
        """Save the culprit's input and what went wrong under --repro-dir."""
        kind, suffix, content = self.inputs[culprit.index]
        folder = Path(self.options.repro_dir)
        folder.mkdir(parents=True, exist_ok=True)
        tag = re.sub(r"[^a-z0-9]+", "-", culprit.what.lower())
        stem = f"{tag}-s{self.options.seed}-b{self.batch}-i{culprit.index}-{kind}"
        (folder / f"{stem}{suffix}").write_bytes(content)
        notes = [
            f"input: seed {self.options.seed}, batch {self.batch}, input {culprit.index}, "
            f"generator {kind}, {len(content)} bytes, sizes {self.options.sizes}",
            f"regenerate: python bench/fuzz.py --dump {self.options.seed}:{self.batch}:"
            f"{culprit.index} --sizes {self.options.sizes}"
            + (f" --kinds {self.options.kinds}" if self.options.kinds else ""),
            f"newslint.toml: {self.config!r}; secured key: {self.key}",
            "",
            *culprit.messages,
        ]
        (folder / f"{stem}.info").write_text("\n".join(notes) + "\n", encoding="utf-8")
        culprit.reproducer = str(folder / f"{stem}{suffix}")
        return culprit


def _strip_path(message: str, batch: Batch) -> tuple[int | None, str]:
    head, sep, rest = message.partition(": ")
    path = head.rsplit(":", 2)[0] if head.count(":") >= 2 else head
    if sep and path in batch.index_of:
        return batch.index_of[path], f"{Path(path).suffix or '?'} {rest}"
    return None, message


def run_batch(options: argparse.Namespace, task: Task) -> BatchResult:
    cpu = time.process_time()
    batch = Batch(options, task.batch, task.count)
    result = BatchResult(task.batch, task.count, kinds=Counter(k for k, _, _ in batch.inputs))
    try:
        started = time.perf_counter()
        try:
            run = S.run_newslint(batch.paths)
        except Exception:
            run = None
            result.note = "check() raised on the batch"
        if run is None:
            result.seconds = time.perf_counter() - started
            _locate_crashes(batch, result)
            return result
        result.seconds = time.perf_counter() - started
        violations = S.invariant_violations(
            run, batch.paths, batch.contents(), options.max_render_seconds
        )
        if task.determinism:
            result.determinism = task.determinism
            violations += _determinism(batch, run, task.determinism)
        per_input = Counter(f.path for f in run.result.findings)
        result.findings_per_input = [per_input[display_path(p)] for p in batch.paths]
        result.findings_by_rule = Counter(f.rule for f in run.result.findings)
        result.inputs_by_rule = Counter(
            r for _, r in {(f.path, f.rule) for f in run.result.findings}
        )
        _attribute(batch, result, violations)
        return result
    finally:
        batch.close()
        result.cpu_seconds = time.process_time() - cpu


def _determinism(batch: Batch, first: Any, mode: str) -> list[str]:
    try:
        if mode == "repeat":
            return S.determinism_violations(first, S.run_newslint(batch.paths))
        if mode == "cache":
            cold = S.run_newslint(batch.paths, cache=True)
            warm = S.run_newslint(batch.paths, cache=True)
            problems = [f"run: (cold cache) {v}" for v in S.determinism_violations(first, cold)]
            problems += [f"run: (warm cache) {v}" for v in S.determinism_violations(first, warm)]
            cacheable = sum(1 for f in cold.result.files)  # crashed files are not cached
            if warm.cache_hits == 0 and cacheable:
                problems.append("run: warm cache served no file")
            return problems
        parallel = S.run_newslint(batch.paths, jobs=2)
        return [f"run: (jobs=2) {v}" for v in S.determinism_violations(first, parallel)]
    except Exception:
        return [f"run: {mode} re-run raised: {traceback.format_exc().splitlines()[-1]}"]


def _attribute(batch: Batch, result: BatchResult, violations: list[str]) -> None:
    """Record violations; find and save the inputs behind the first few new ones."""
    by_input: dict[int, list[str]] = {}
    unplaced: list[str] = []
    for violation in violations:
        index, text = _strip_path(violation, batch)
        result.violations.append(text)
        if index is None:
            unplaced.append(violation)
        else:
            by_input.setdefault(index, []).append(violation)
    result.inputs_with_violations += len(by_input) + (1 if unplaced else 0)
    saved_known: set[str] = set()
    saved_new = 0
    for index, messages in by_input.items():
        bug = S.known_bug(messages[0])
        if bug is None and saved_new < REPRO_PER_BATCH:
            saved_new += 1
        elif bug is not None and bug.id not in saved_known and not saved_known:
            saved_known.add(bug.id)
        else:
            continue
        result.culprits.append(
            batch.save(Culprit(index, batch.inputs[index][0], "violation", messages))
        )
    if unplaced:  # run-level (reports, determinism): find an input that shows it alone
        wanted = {_signature(v)[:40] for v in unplaced}
        for index in range(len(batch.inputs)):
            alone, crash = batch.single(index)
            shown = {_signature(v)[:40] for v in alone}
            if crash or wanted & shown:
                messages = [*unplaced, *alone, *([crash] if crash else [])]
                result.culprits.append(
                    batch.save(Culprit(index, batch.inputs[index][0], "violation", messages))
                )
                wanted -= shown
                if not wanted:
                    break


def _locate_crashes(batch: Batch, result: BatchResult) -> None:
    """check() raised on the batch: check each input alone, so the culprits are found and
    the other inputs are still verified."""
    others: list[str] = []
    for index in range(len(batch.inputs)):
        described, crash = batch.single(index)
        if crash is None:  # place run-level violations of this lone run on its input
            shown = display_path(batch.paths[index])
            others.extend(f"{shown}: {v}" if v.startswith("run: ") else v for v in described)
            continue
        result.inputs_with_violations += 1
        culprit = Culprit(index, batch.inputs[index][0], "crash", [described[0], crash])
        if len(result.crashes) < REPRO_PER_BATCH:
            batch.save(culprit)
        result.crashes.append(culprit)
        result.violations.append(described[0])
    _attribute(batch, result, others)


def run_locate(options: argparse.Namespace, task: Task, conn: Connection) -> BatchResult:
    """Inputs one at a time from task.start, announcing each so the parent can time it."""
    batch = Batch(options, task.batch, task.count)
    result = BatchResult(task.batch, 0)
    try:
        for index in range(task.start, task.count):
            conn.send(("start", index))
            started = time.perf_counter()
            violations, crash = batch.single(index)
            elapsed = time.perf_counter() - started
            kind, _, content = batch.inputs[index]
            result.input_seconds.append((elapsed, index, kind, len(content)))
            if task.mode == "profile":
                continue
            if crash:
                result.crashes.append(
                    batch.save(Culprit(index, kind, "crash", [*violations, crash]))
                )
            elif violations:
                result.culprits.append(batch.save(Culprit(index, kind, "violation", violations)))
            if task.stop_after and len(result.crashes) + len(result.culprits) >= task.stop_after:
                break
        return result
    finally:
        batch.close()


def worker_main(options: argparse.Namespace, task: Task, conn: Connection) -> None:
    try:
        if task.mode == "batch":
            result = run_batch(options, task)
        else:
            result = run_locate(options, task, conn)
        conn.send(("result", result))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


# --- parent side ---------------------------------------------------------------------------


@dataclass
class Running:
    process: Any
    task: Task
    started: float
    current: int | None = None  # locate: input in progress


class Scheduler:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.context = multiprocessing.get_context("fork")
        self.running: dict[Connection, Running] = {}
        self.results: list[BatchResult] = []
        self.hangs: list[Culprit] = []  # timeouts and dead workers, located
        self.events: list[str] = []
        self.profile: list[BatchResult] = []  # per-input times of the slowest batch

    def start(self, task: Task) -> None:
        parent, child = self.context.Pipe(duplex=False)
        process = self.context.Process(target=worker_main, args=(self.options, task, child))
        process.start()
        child.close()
        self.running[parent] = Running(process, task, time.monotonic())

    def run(self, tasks: deque[Task], progress: bool = True) -> None:
        total = sum(t.count for t in tasks if t.mode == "batch")
        done = 0
        next_report = 0.1
        began = time.monotonic()
        while tasks or self.running:
            while tasks and len(self.running) < self.options.jobs:
                self.start(tasks.popleft())
            ready = wait(list(self.running), timeout=0.5)
            for conn in ready:
                state = self.running[conn]  # type: ignore[index]
                try:
                    message = conn.recv()  # type: ignore[union-attr]
                except (EOFError, OSError):
                    self._finish(conn, state)  # type: ignore[arg-type]
                    self._died(state, tasks)
                    continue
                if message[0] == "start":
                    state.current, state.started = message[1], time.monotonic()
                    continue
                self._finish(conn, state)  # type: ignore[arg-type]
                if message[0] == "error":
                    self.events.append(f"batch {state.task.batch}: worker error:\n{message[1]}")
                    continue
                result: BatchResult = message[1]
                self.results.append(result)
                if state.task.mode == "batch":
                    done += result.inputs
                    if progress and total and done / total >= next_report:
                        rate = done / max(1e-9, time.monotonic() - began)
                        print(f"  {done:,}/{total:,} inputs, {rate:,.0f}/s", file=sys.stderr)
                        next_report += 0.1
            now = time.monotonic()
            for conn, state in list(self.running.items()):
                if now - state.started > self.options.time_limit_per_batch:
                    state.process.kill()
                    self._finish(conn, state)
                    self._timed_out(state, tasks)

    def _finish(self, conn: Connection, state: Running) -> None:
        state.process.join(timeout=5)
        conn.close()
        self.running.pop(conn, None)

    def _relocate(self, state: Running, what: str, tasks: deque[Task]) -> None:
        task = state.task
        if task.mode == "batch":
            self.events.append(f"batch {task.batch}: {what}; re-running its inputs one by one")
            tasks.append(Task("locate", task.batch, task.count, 0, stop_after=REPRO_PER_BATCH))
            return
        index = state.current if state.current is not None else task.start
        batch = Batch(self.options, task.batch, task.count)
        try:
            kind = batch.inputs[index][0]
            message = (
                f"checking this input alone took over {self.options.time_limit_per_batch:g} s"
                if what == "timeout"
                else f"the worker process died checking this input alone (exit code {state.process.exitcode})"
            )
            self.hangs.append(batch.save(Culprit(index, kind, what, [message])))
        finally:
            batch.close()
        if index + 1 < task.count and len(self.hangs) < 10:
            tasks.append(Task("locate", task.batch, task.count, index + 1, stop_after=1))

    def _timed_out(self, state: Running, tasks: deque[Task]) -> None:
        self._relocate(state, "timeout", tasks)

    def _died(self, state: Running, tasks: deque[Task]) -> None:
        self._relocate(state, "died", tasks)


# --- figures -------------------------------------------------------------------------------


def _signature(violation: str) -> str:
    crash = re.search(r"rule (\S+) crashed on this record: (\w+)", violation)
    if crash:
        return f"rule crash in {crash.group(1)}: {crash.group(2)}"
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", violation)
    return re.sub(r"\d+", "N", text)[:140]


def summarise(options: argparse.Namespace, scheduler: Scheduler, wall: float) -> dict[str, Any]:
    batches = [r for r in scheduler.results if r.inputs]
    locates = [r for r in scheduler.results if not r.inputs]
    inputs = sum(r.inputs for r in batches)
    per_input = [n for r in batches for n in r.findings_per_input]
    by_rule: Counter[str] = Counter()
    inputs_by_rule: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    violations: Counter[str] = Counter()
    known: Counter[str] = Counter()
    for r in batches:
        by_rule.update(r.findings_by_rule)
        inputs_by_rule.update(r.inputs_by_rule)
        kinds.update(r.kinds)
        for v in r.violations:
            bug = S.known_bug(v)
            if bug:
                known[bug.id] += 1
            else:
                violations[_signature(v)] += 1
    crashes = [c for r in scheduler.results for c in r.crashes]
    culprits = [c for r in scheduler.results for c in r.culprits] + scheduler.hangs
    slowest = max(batches, key=lambda r: r.seconds, default=None)
    check_seconds = sum(r.seconds for r in batches)
    cpu_seconds = sum(r.cpu_seconds for r in batches)
    return {
        "inputs": inputs,
        "batches": len(batches),
        "seed": options.seed,
        "jobs": options.jobs,
        "sizes": options.sizes,
        "wall_seconds": round(wall, 2),
        "inputs_per_second": round(inputs / wall, 1) if wall else None,
        "check_seconds_per_input_ms": round(1000 * check_seconds / inputs, 3) if inputs else None,
        "cpu_seconds_per_input_ms": round(1000 * cpu_seconds / inputs, 3) if inputs else None,
        "estimated_minutes_100k_on_2_idle_cores": (
            round(100_000 * cpu_seconds / inputs / 2 / 60, 1) if inputs else None
        ),
        "crashes": len(crashes),
        "timeouts_and_dead_workers": len(scheduler.hangs),
        "violations": sum(violations.values()),
        "inputs_with_violations": sum(r.inputs_with_violations for r in batches),
        "violations_by_signature": dict(violations.most_common()),
        "known_bug_violations": dict(known),
        "determinism_checks": dict(Counter(r.determinism for r in batches if r.determinism)),
        "findings": sum(by_rule.values()),
        "findings_per_input": {
            "mean": round(statistics.fmean(per_input), 2) if per_input else 0,
            "median": statistics.median(per_input) if per_input else 0,
            "max": max(per_input, default=0),
            "zero": sum(1 for n in per_input if n == 0),
        },
        "findings_by_rule": dict(by_rule.most_common()),
        "inputs_by_rule": dict(inputs_by_rule.most_common()),
        "inputs_by_generator": dict(kinds.most_common()),
        "slowest_batch": (
            {"batch": slowest.batch, "seconds": round(slowest.seconds, 2), "inputs": slowest.inputs}
            if slowest
            else None
        ),
        "slowest_inputs": sorted(
            (
                {"seconds": round(s, 3), "batch": r.batch, "input": i, "generator": k, "bytes": n}
                for r in [*locates, *scheduler.profile]
                for s, i, k, n in r.input_seconds
            ),
            key=lambda d: -d["seconds"],
        )[:5],
        "reproducers": [
            {
                "what": c.what,
                "file": c.reproducer,
                "first": c.messages[0][-300:] if c.messages else "",
            }
            for c in [*crashes, *culprits]
            if c.reproducer
        ][:20],
        "events": scheduler.events[:20],
        "repro_dir": options.repro_dir,
    }


def print_figures(summary: dict[str, Any]) -> None:
    p = print
    p(f"newslint fuzz: seed {summary['seed']}, sizes {summary['sizes']}, {summary['jobs']} jobs")
    p(f"  inputs run           {summary['inputs']:,} in {summary['batches']:,} batches")
    p(
        f"  wall time            {summary['wall_seconds']:,.1f} s  ({summary['inputs_per_second']:,.1f} inputs/s)"
    )
    p(f"  check() per input    {summary['check_seconds_per_input_ms']} ms wall, in a worker")
    p(
        f"  CPU per input        {summary['cpu_seconds_per_input_ms']} ms "
        "(generate, write, check, verify, re-runs)"
    )
    if summary["inputs_per_second"]:
        p(
            f"  100,000 inputs       ~{100_000 / summary['inputs_per_second'] / 60:,.1f} min at "
            f"this run's rate; ~{summary['estimated_minutes_100k_on_2_idle_cores']} min of "
            "CPU split over 2 idle cores"
        )
    sb = summary["slowest_batch"]
    if sb:
        p(f"  slowest batch        #{sb['batch']}: {sb['seconds']:.2f} s for {sb['inputs']} inputs")
    for s in summary["slowest_inputs"]:
        p(
            f"    slow input         {s['seconds']:.3f} s  batch {s['batch']} input {s['input']} ({s['generator']}, {s['bytes']:,} bytes)"
        )
    p(f"  crashes (raised)     {summary['crashes']}")
    p(f"  timeouts/dead worker {summary['timeouts_and_dead_workers']}")
    p(
        f"  invariant violations {summary['violations']} new, "
        f"{sum(summary['known_bug_violations'].values())} known, on "
        f"{summary['inputs_with_violations']} inputs"
    )
    for sig, n in summary["violations_by_signature"].items():
        p(f"    {n:6d}  {sig}")
    for bug, n in summary["known_bug_violations"].items():
        p(f"    {n:6d}  known: {bug}")
    p(f"  determinism re-runs  {summary['determinism_checks']}")
    fpi = summary["findings_per_input"]
    p(
        f"  findings             {summary['findings']:,}; per input mean {fpi['mean']}, median {fpi['median']}, max {fpi['max']}, none on {fpi['zero']:,} inputs"
    )
    p("  findings by rule (findings / inputs):")
    for rule, n in summary["findings_by_rule"].items():
        p(f"    {n:9,d} / {summary['inputs_by_rule'][rule]:7,d}  {rule}")
    p(
        "  inputs by generator: "
        + ", ".join(f"{k} {n:,}" for k, n in summary["inputs_by_generator"].items())
    )
    if summary["reproducers"]:
        p(f"  reproducers saved in {summary['repro_dir']}:")
        for r in summary["reproducers"]:
            first = r["first"].strip().splitlines()[-1] if r["first"].strip() else ""
            p(f"    [{r['what']}] {Path(r['file']).name}: {first[:160]}")
    for event in summary["events"]:
        p(f"  note: {event.strip()[:400]}")


# --- command line --------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="inputs to generate and check")
    parser.add_argument("--seed", type=int, default=0, help="seed of the input generators")
    parser.add_argument("--batch", type=int, default=500, help="inputs per check() call")
    parser.add_argument(
        "--time-limit-per-batch",
        type=float,
        default=120.0,
        help="seconds a batch (or, when locating, one input) may take before it counts as a hang",
    )
    parser.add_argument(
        "--jobs", type=int, default=len(os.sched_getaffinity(0)), help="worker processes"
    )
    parser.add_argument(
        "--determinism-every",
        type=int,
        default=4,
        help="re-check every K-th batch (same run, cold+warm cache, jobs=2 in turn); 0: never",
    )
    parser.add_argument(
        "--max-render-seconds",
        type=float,
        default=5.0,
        help="a report format taking longer than this to render is a violation",
    )
    parser.add_argument(
        "--sizes", choices=sorted(SIZES), default="bench", help="how big hostile inputs get"
    )
    parser.add_argument(
        "--kinds",
        default="",
        help=f"comma-separated generators (default all: {', '.join(S.KINDS)})",
    )
    parser.add_argument(
        "--repro-dir", default="", help="where reproducers go (default: a new temp folder)"
    )
    parser.add_argument("--json", default="", help="also write the figures as JSON to this file")
    parser.add_argument(
        "--no-profile", action="store_true", help="do not time the slowest batch input by input"
    )
    parser.add_argument(
        "--dump",
        default="",
        metavar="SEED:BATCH:INPUT",
        help="write one generated input to a file and exit",
    )
    options = parser.parse_args(argv)
    kinds = [k for k in options.kinds.split(",") if k]
    unknown = [k for k in kinds if k not in S.GENERATORS]
    if unknown:
        parser.error(f"unknown generator(s) {', '.join(unknown)}; known: {', '.join(S.KINDS)}")
    options.kind_list = kinds or list(S.KINDS)
    if options.batch < 1 or options.inputs < 0 or options.jobs < 1:
        parser.error("--batch and --jobs must be at least 1, --inputs at least 0")
    if not options.repro_dir:
        options.repro_dir = str(
            Path(tempfile.gettempdir()) / f"newslint-fuzz-repro-s{options.seed}-{os.getpid()}"
        )
    return options


def dump(options: argparse.Namespace) -> int:
    seed, batch, index = (int(part) for part in options.dump.split(":"))
    options.seed = seed
    kind, suffix, content = make_input(seed, batch, index, SIZES[options.sizes], options.kind_list)
    path = Path(f"fuzz-s{seed}-b{batch}-i{index}-{kind}{suffix}").resolve()
    path.write_bytes(content)
    config, key = batch_settings(batch)
    print(
        f"{path} ({len(content):,} bytes, generator {kind}; its batch used newslint.toml {config!r}, key {key})"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if options.dump:
        return dump(options)
    S.report_validator()  # warm what forked workers inherit
    S.run_newslint([REPO / "seeds"])
    tasks: deque[Task] = deque()
    for batch, start in enumerate(range(0, options.inputs, options.batch)):
        every = options.determinism_every
        mode = None
        if every and batch % every == every - 1:
            mode = DETERMINISM_MODES[(batch // every) % len(DETERMINISM_MODES)]
        tasks.append(
            Task("batch", batch, min(options.batch, options.inputs - start), determinism=mode)
        )
    scheduler = Scheduler(options)
    began = time.monotonic()
    scheduler.run(tasks)
    wall = time.monotonic() - began
    batches = [r for r in scheduler.results if r.inputs]
    if batches and not options.no_profile:
        slowest = max(batches, key=lambda r: r.seconds)
        profiler = Scheduler(options)
        profiler.run(deque([Task("profile", slowest.batch, slowest.inputs)]), progress=False)
        scheduler.profile = [r for r in profiler.results]
    summary = summarise(options, scheduler, wall)
    print_figures(summary)
    if options.json:
        Path(options.json).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    failed = summary["crashes"] or summary["violations"] or summary["known_bug_violations"]
    failed = failed or summary["timeouts_and_dead_workers"] or scheduler.events
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

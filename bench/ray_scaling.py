#!/usr/bin/env python3
"""Scaling of the Ray engine: `newslint check --engine ray` on a local Ray of 1 and of 2 CPUs.

    python bench/ray_scaling.py [--records 10000] [--runs 3] [--work DIR] [--seed 1]
                                [--json FILE] [--newslint PATH] [--no-snapshot]

On the corpus of bench/generate.py (shared with bench/throughput.py in --work), each round
runs, interleaved, `newslint check --no-cache --format json -o FILE <corpus>/txt` as:

  local-2          --engine local -j 2: the process pool; its report is the reference;
  local-1          --engine local -j 1: with local-2, the control: how much of a second core
                   the machine gave during the rounds (other work shares it);
  probe            a tight arithmetic loop in one process, then in two at once: the
                   machine's own parallelism, with no newslint in it (2.00x: two free cores);
  ray-1, ray-2     --engine ray -j N: newslint starts a private local Ray with N CPUs,
                   checks and stops it, all inside the wall time;
  ray-1-running,   --engine ray --ray-address ADDRESS: a Ray with N CPUs, started before the
  ray-2-running    run by this script (not timed) and stopped after it, as a cluster that
                   is already up; the wall time has newslint's connection, its Ray job's
                   worker start-up and the checks.

Prints min/median/max of the wall times with the load average before each run, the speed-up
of 2 CPUs over 1 (medians) on a running Ray and with newslint starting its own, against the
target of 1.6x, Ray's start and stop (the difference between the two) and the control's
speed-up: when it is well under 2x, the machine did not have two cores to give. CPU times are
not shown: Ray's workers are not children that wait4 accounts for. Every Ray report's files
and findings must equal the local engine's; differences are counted and named.

Every Ray instance here binds to 127.0.0.1 only and sends no usage statistics. Like
bench/throughput.py, the code under test is a snapshot of validator/, rules/ and schemas/ taken
at the start (under <work>/ray-scaling); --no-snapshot runs the live tree.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import (  # bench/throughput.py, beside this file
    Run,
    ensure_corpus,
    find_newslint,
    load_text,
    log,
    make_snapshot,
    run,
)

TARGET = 1.6
# Read by Ray when it is imported and started: without the first, Ray swaps 127.0.0.1 for the
# machine's network address.
LOOPBACK_ENV = {
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_AUTH_MODE": "token",
}
PROBE_SCRIPT = "x = 0\nfor i in range(20_000_000):\n    x += i * i\n"
CLUSTER_SCRIPT = r"""
import logging, sys
import ray
context = ray.init(address="local", num_cpus=int(sys.argv[1]), include_dashboard=False,
                   _node_ip_address="127.0.0.1", logging_level=logging.WARNING)
print(context.address_info["gcs_address"], flush=True)
sys.stdin.read()  # until the benchmark closes it
ray.shutdown()
"""


@contextlib.contextmanager
def running_ray(python: Path, cpus: int, env: dict[str, str], cwd: Path) -> Iterator[str]:
    """A local Ray with ``cpus`` CPUs for the block, in a process of its own; its address."""
    process = subprocess.Popen(
        [str(python), "-c", CLUSTER_SCRIPT, str(cpus)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        address = process.stdout.readline().strip()
        if not address:
            sys.exit(f"could not start a local Ray with {cpus} CPU(s)")
        yield address
    finally:
        process.stdin.close()
        process.wait(timeout=120)


def probe(python: Path) -> float:
    """How many times one process's CPU work two processes get done in the same time."""
    command = [str(python), "-c", PROBE_SCRIPT]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    alone = time.perf_counter() - started
    started = time.perf_counter()
    pair = [subprocess.Popen(command) for _ in range(2)]
    for process in pair:
        process.wait()
    return 2 * alone / (time.perf_counter() - started)


def _files_and_findings(report: Path) -> dict[str, Any] | None:
    try:
        document = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {"files": document["files"], "findings": document["findings"]}


def _line(name: str, runs: list[Run]) -> str:
    walls = [r.wall for r in runs]
    loads = [r.load_before for r in runs]
    return (
        f"  {name:<14} n={len(walls)}  wall min/med/max {min(walls):7.2f} / "
        f"{statistics.median(walls):7.2f} / {max(walls):7.2f} s   "
        f"load before {min(loads):.2f}-{max(loads):.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "newslint-bench")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--newslint", help="newslint executable (default: the repo's .venv)")
    parser.add_argument("--no-snapshot", action="store_true", help="run the live working tree")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.records < 1:
        parser.error("--runs and --records must be at least 1")

    work = args.work.resolve()
    own = work / "ray-scaling"  # its own snapshot, config and reports: throughput.py may run too
    own.mkdir(parents=True, exist_ok=True)
    newslint = find_newslint(args.newslint)
    python = newslint.parent / "python"
    env = dict(os.environ)
    if not args.no_snapshot:
        env, snap = make_snapshot(own, python)
        log(f"code under test: a snapshot of validator/, rules/, schemas/ in {snap}")
    env.update(LOOPBACK_ENV)
    env.pop("RAY_ADDRESS", None)  # without --ray-address, newslint must start its own Ray
    version = subprocess.run(
        [str(newslint), "--version"], capture_output=True, text=True, env=env, check=True
    )
    log(f"{version.stdout.strip()}; {len(os.sched_getaffinity(0))} cores; {load_text()}")

    corpus, _ = ensure_corpus(work, args.records, args.seed)
    inputs = corpus / "txt"
    config = own / "newslint.toml"
    config.write_text("", encoding="utf-8")
    base = [str(newslint), "check", "--no-cache", "--config", str(config), "--format", "json"]
    names = ["local-2", "local-1", "ray-1", "ray-2", "ray-1-running", "ray-2-running"]
    series: dict[str, list[Run]] = {name: [] for name in names}
    reference: dict[str, Any] | None = None
    mismatches: list[str] = []
    probes: list[float] = []

    def measure(name: str, round_: int, options: list[str]) -> None:
        nonlocal reference
        report = own / f"{name}.json"
        report.unlink(missing_ok=True)
        result = run([*base, *options, "-o", str(report), str(inputs)], cwd=own, env=env)
        series[name].append(result)
        log(
            f"  round {round_} {name:<14} {result.wall:7.2f} s  exit {result.exit_code}  "
            f"load {result.load_before:.2f}"
        )
        if result.exit_code not in (0, 1):
            log(f"    !! {name}: exit {result.exit_code}\n{result.stderr_tail}")
        found = _files_and_findings(report)
        if name == "local-2" and reference is None:
            reference = found
        elif name.startswith("ray-") and (found is None or found != reference):
            mismatches.append(f"{name} round {round_}")

    log(f"inputs: {inputs} ({args.records} records); {args.runs} rounds of {', '.join(names)}")
    for round_ in range(1, args.runs + 1):
        probes.append(probe(python))
        log(f"  round {round_} probe          {probes[-1]:.2f}x  load {os.getloadavg()[0]:.2f}")
        measure("local-2", round_, ["--engine", "local", "-j", "2"])
        measure("local-1", round_, ["--engine", "local", "-j", "1"])
        for cpus in (1, 2):
            measure(f"ray-{cpus}", round_, ["--engine", "ray", "-j", str(cpus)])
        for cpus in (1, 2):
            with running_ray(python, cpus, env, own) as address:
                measure(
                    f"ray-{cpus}-running", round_, ["--engine", "ray", "--ray-address", address]
                )

    log(f"\nresults ({load_text()} now):")
    for name, runs in series.items():
        log(_line(name, runs))
    median = {name: statistics.median(r.wall for r in runs) for name, runs in series.items()}
    running = median["ray-1-running"] / median["ray-2-running"]
    own_ray = median["ray-1"] / median["ray-2"]
    start_stop = [median[f"ray-{n}"] - median[f"ray-{n}-running"] for n in (1, 2)]
    log("\n2 CPUs vs 1 (median wall):")
    for label, ratio in (("on a running Ray", running), ("newslint starting its own Ray", own_ray)):
        log(f"  {label:<30} {ratio:.2f}x  target >= {TARGET}x: {_verdict(ratio)}")
    log(f"  Ray's start and stop (own - running): {start_stop[0]:.1f} s / {start_stop[1]:.1f} s")
    control = median["local-1"] / median["local-2"]
    log(f"  control, the local engine -j 2 vs -j 1 in the same rounds: {control:.2f}x")
    log(
        f"  probe, two arithmetic loops vs one: {statistics.median(probes):.2f}x "
        f"(min {min(probes):.2f}, max {max(probes):.2f}; 2.00x is two free cores)"
    )
    log(f"  ray-2 vs the local engine -j 2: {median['ray-2'] / median['local-2']:.2f}x the time")
    total = 4 * args.runs
    log(
        "findings: "
        + (
            f"all {total} Ray reports have the local engine's files and findings"
            if not mismatches
            else f"{len(mismatches)} of {total} Ray reports differ: {', '.join(mismatches)}"
        )
    )
    if args.json:
        results = {
            "parameters": {"records": args.records, "runs": args.runs, "seed": args.seed},
            "cores": len(os.sched_getaffinity(0)),
            "series": {
                name: [{"wall": r.wall, "exit": r.exit_code, "load": r.load_before} for r in runs]
                for name, runs in series.items()
            },
            "speedup_running_ray": running,
            "speedup_own_ray": own_ray,
            "ray_start_stop_seconds": start_stop,
            "control_local_speedup": control,
            "probe": probes,
            "target": TARGET,
            "report_mismatches": mismatches,
        }
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
        log(f"results written to {args.json}")
    return 0


def _verdict(ratio: float) -> str:
    return "PASS" if ratio >= TARGET else "MISS"


if __name__ == "__main__":
    sys.exit(main())

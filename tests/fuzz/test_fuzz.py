"""Property-based fuzzing of newslint: whatever the bytes, check() keeps its invariants.

Hypothesis drives the generators of tests/fuzz/strategies.py (random bytes, truncated and
mutated real records, broken YAML, odd encodings, huge lines, deep nesting, many keys, alias
bombs, huge numbers, control characters, degenerate files). Every example is written to its
own temporary folder and checked in-process; ``invariant_violations`` lists what must hold:
check() does not raise, every input appears in result.files exactly once, exit code 0 or 1
with no internal/rule-crash, findings with line/column >= 1, a message and a registered rule,
every report format renders and the JSON one validates against schemas/report.schema.json,
and a second run gives the same findings.

The settings are derandomized with no example database, so CI sees the same examples every
run, and bounded so the file runs well under a minute. The long haul is bench/fuzz.py.

Bugs the fuzzer found outside tests/fuzz are listed in strategies.KNOWN_BUGS: the property
tests count them (``hypothesis.event``) instead of failing, and each has a targeted
regression test below marked xfail(strict=True). Fixing a bug makes its test pass, which
fails the suite until the xfail mark and the KNOWN_BUGS entry are removed.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from random import Random

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from tests.fuzz import strategies as S
from tests.helpers import REPO
from validator.app import CheckRun
from validator.findings import Finding

_COMMON = {
    "derandomize": True,
    "database": None,
    "deadline": timedelta(seconds=10),
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
}
SINGLE = settings(max_examples=150, **_COMMON)
PER_GENERATOR = settings(max_examples=12, **_COMMON)
BATCH = settings(max_examples=25, **_COMMON)
TIGHT = settings(max_examples=80, **_COMMON)
FEW = settings(max_examples=6, **_COMMON)


def check_inputs(
    inputs: Sequence[tuple[str, bytes]],
    *,
    config: str = "",
    key: bool = False,
    stems: Sequence[str] | None = None,
    determinism: bool = True,
) -> list[str]:
    """Check ``inputs`` in a fresh folder; fail on a new violation, count known ones."""
    with tempfile.TemporaryDirectory(prefix="newslint-fuzz-") as tmp:
        folder = Path(tmp)
        S.prepare_folder(folder, config, key)
        paths = S.write_inputs(folder, inputs, stems)
        contents = [content for _, content in inputs]
        run, violations = S.checked_run(paths)
        if run is not None:
            violations += S.invariant_violations(run, paths, contents)
            if determinism:
                again, raised = S.checked_run(paths)
                violations += raised
                if again is not None:
                    violations += S.determinism_violations(run, again)
        return assert_no_new_violations(violations, inputs)


def assert_no_new_violations(
    violations: list[str], inputs: Sequence[tuple[str, bytes]]
) -> list[str]:
    new, known = S.split_known(violations)
    for violation in known:
        bug = S.known_bug(violation)
        assert bug is not None
        event(f"known bug: {bug.id}")
    if new:
        for suffix, content in inputs:
            note(f"input {suffix}: {content[:2000]!r}{' ...' if len(content) > 2000 else ''}")
    assert not new, "\n".join(new)
    return known


# --- property tests -----------------------------------------------------------------------


@SINGLE
@given(S.fuzz_files())
def test_any_single_file_keeps_the_invariants(item: tuple[str, bytes]) -> None:
    check_inputs([item])


@pytest.mark.parametrize("kind", S.KINDS)
@PER_GENERATOR
@given(data=st.data())
def test_every_generator_keeps_the_invariants(kind: str, data: st.DataObject) -> None:
    item = data.draw(S.generated([kind]), label=kind)
    check_inputs([item])


@BATCH
@given(st.lists(S.fuzz_files(), min_size=2, max_size=10), st.lists(S.file_stems, min_size=1))
def test_a_batch_of_files_keeps_the_invariants(
    items: list[tuple[str, bytes]], stems: list[str]
) -> None:
    check_inputs(items, stems=stems)


@TIGHT
@given(S.fuzz_files())
def test_tight_limits_and_a_secured_key_keep_the_invariants(item: tuple[str, bytes]) -> None:
    """Limits of a few nodes, aliases and levels, and a key: the refusal and decryption
    paths instead of the ordinary ones."""
    check_inputs([item], config=S.TIGHT_CONFIG, key=True)


@pytest.mark.skipif(not S.CORPUS_FILES, reason=f"real corpus not present at {S.CORPUS_NEWS}")
@SINGLE
@given(st.sampled_from(S.CORPUS_FILES or [b""]), st.randoms(use_true_random=False))
def test_mutated_corpus_records_keep_the_invariants(record: bytes, rng: Random) -> None:
    mutated = (
        S.mutate_bytes(rng, record) if rng.random() < 0.7 else record[: rng.randint(0, len(record))]
    )
    check_inputs([(rng.choice(S.TEXT_SUFFIXES), mutated)])


@FEW
@given(st.lists(S.fuzz_files(), min_size=3, max_size=8))
def test_result_cache_gives_the_same_findings(items: list[tuple[str, bytes]]) -> None:
    """A cold then a warm cache give what an uncached run gives."""
    with tempfile.TemporaryDirectory(prefix="newslint-fuzz-") as tmp:
        folder = Path(tmp)
        S.prepare_folder(folder)
        paths = S.write_inputs(folder, items)
        plain, violations = S.checked_run(paths)
        cold, raised = S.checked_run(paths, cache=True)
        violations += raised
        warm, raised = S.checked_run(paths, cache=True)
        violations += raised
        if plain is not None and cold is not None and warm is not None:
            violations += S.determinism_violations(plain, cold)
            violations += S.determinism_violations(plain, warm)
            if not plain.result.crashed:
                assert warm.cache_hits == len(paths)
        assert_no_new_violations(violations, items)


@settings(max_examples=3, **_COMMON)
@given(st.lists(S.fuzz_files(), min_size=8, max_size=12))
def test_parallel_engine_gives_the_same_findings(items: list[tuple[str, bytes]]) -> None:
    """jobs=2 (a process pool; 8+ files so it is really used) matches jobs=1."""
    with tempfile.TemporaryDirectory(prefix="newslint-fuzz-") as tmp:
        folder = Path(tmp)
        S.prepare_folder(folder)
        paths = S.write_inputs(folder, items)
        serial, violations = S.checked_run(paths)
        parallel, raised = S.checked_run(paths, jobs=2)
        violations += raised
        if serial is not None and parallel is not None:
            violations += S.determinism_violations(serial, parallel)
            violations += S.invariant_violations(parallel, paths, [c for _, c in items])
        assert_no_new_violations(violations, items)


# --- the generators and the invariant checker themselves ------------------------------------


def test_seed_material_is_loaded() -> None:
    assert len(S.SEED_FILES) == len([p for p in (REPO / "seeds").iterdir() if p.is_file()])
    assert S.REAL_RECORDS, "no record could be read from the seeds"
    assert len(S.CORPUS_FILES) <= S.CORPUS_HANDFUL
    if not S.CORPUS_NEWS.is_dir():
        assert S.CORPUS_FILES == []


@pytest.mark.parametrize("kind", S.KINDS)
def test_generators_are_deterministic_and_well_typed(kind: str) -> None:
    for seed in range(20):
        first = S.generate(Random(seed), S.TEST_SIZES, kind)
        second = S.generate(Random(seed), S.TEST_SIZES, kind)
        assert first == second
        _, suffix, content = first
        assert isinstance(content, bytes)
        assert suffix in S.SUFFIXES + S.RARE_SUFFIXES


def test_generation_does_not_depend_on_the_hash_seed() -> None:
    """bench/fuzz.py promises reproducible runs: no set-of-strings order may leak in."""
    code = (
        "import hashlib, random, sys; sys.path.insert(0, sys.argv[1]);"
        "from tests.fuzz import strategies as S; h = hashlib.sha256()\n"
        "for i in range(60):\n"
        "    k, s, c = S.generate(random.Random(i), S.TEST_SIZES); h.update(k.encode() + s.encode() + c)\n"
        "print(h.hexdigest())"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code, str(REPO)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_weighted_mix_covers_every_generator() -> None:
    rng = Random(0)
    seen = {S.generate(rng, S.TEST_SIZES)[0] for _ in range(800)}
    assert seen == set(S.KINDS)


def test_invariant_checker_reports_broken_runs(tmp_path: Path) -> None:
    """The checker is only as good as what it notices: break a real run and see."""
    S.prepare_folder(tmp_path)
    paths = S.write_inputs(tmp_path, [(".md", S.markdown().encode() + b"Read more\n")])
    run = S.run_newslint(paths)
    assert run.result.findings and S.invariant_violations(run, paths) == []
    finding = next(iter(run.result.findings))
    run.result.findings.append(dataclasses.replace(finding, line=0, column=0, message=" "))
    run.result.findings.append(dataclasses.replace(finding, rule="nope/nope"))
    run.result.files.append(next(iter(run.result.files)))
    violations = "\n".join(S.invariant_violations(run, paths))
    for expected in (
        "line 0 < 1",
        "column 0 < 1",
        "empty message",
        "not in the registry",
        "appears 2 times",
    ):
        assert expected in violations
    other = S.run_newslint(paths)
    other.result.replace_findings(list(other.result.findings)[:-1])
    assert S.determinism_violations(run, other)


def test_known_bugs_are_recognised(monkeypatch: pytest.MonkeyPatch) -> None:
    bug = S.KnownBug("demo", "a demo entry", ("crashed on this record", "OverflowError"))
    monkeypatch.setattr(S, "KNOWN_BUGS", (bug,))
    crash = "x.md: rule crash: rule image/x crashed on this record: OverflowError: x"
    assert S.known_bug(crash) is not None
    assert S.known_bug("x.md: line 0 < 1 [body/missing]") is None
    assert len({bug.id for bug in S.KNOWN_BUGS}) == len(S.KNOWN_BUGS)


# --- bugs found by fuzzing: targeted regression tests -----------------------------------------
#
# Each reproducer is the minimal input of a bug the fuzzer found (all fixed now); they assert
# the correct behaviour. A new bug gets its test here, marked xfail(strict=True), and an entry
# in strategies.KNOWN_BUGS until it is fixed.


def _run_one(name: str, content: bytes, config: str = "") -> tuple[CheckRun | None, list[str]]:
    """Check one file alone: the run (None if check() raised) and every violation."""
    with tempfile.TemporaryDirectory(prefix="newslint-fuzz-") as tmp:
        folder = Path(tmp)
        S.prepare_folder(folder, config)
        path = folder / name
        path.write_bytes(content)
        run, violations = S.checked_run([path])
        if run is not None:
            violations += S.invariant_violations(run, [path], [content])
        return run, violations


def _checked_alone(name: str, content: bytes) -> tuple[CheckRun | None, list[str]]:
    with tempfile.TemporaryDirectory(prefix="newslint-fuzz-") as tmp:
        S.prepare_folder(Path(tmp))
        path = Path(tmp) / name
        path.write_bytes(content)
        return S.checked_run([path])


def _image(width: bytes, height: bytes) -> bytes:
    return (
        b"---\nimages:\n  - url: https://a.org/x.jpg\n    width: "
        + width
        + b"\n    height: "
        + height
        + b"\n---\nbody\n"
    )


SEXAGESIMAL_HUGE = b"1" + b":00" * 2500  # YAML 1.1 base 60: 60**2500, 4446 digits


def test_regression_huge_aspect_ratio_is_reported_not_crashed() -> None:
    _, violations = _run_one("aspect.md", _image(b"1" + b"0" * 309, b"4"))
    assert violations == []


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(_image(b"-" + SEXAGESIMAL_HUGE, b"4"), id="image-missing-dimensions"),
        pytest.param(_image(SEXAGESIMAL_HUGE, b"2"), id="image-implausibly-large"),
        pytest.param(b"---\ntitle: " + SEXAGESIMAL_HUGE + b"\n---\nbody\n", id="schema-violation"),
    ],
)
def test_regression_ints_over_4300_digits_do_not_crash_rules(content: bytes) -> None:
    _, violations = _run_one("huge.md", content)
    assert violations == []


def test_regression_fingerprint_of_an_int_over_4300_digits() -> None:
    _, violations = _run_one("dup.md", b"---\na: 1\na: " + SEXAGESIMAL_HUGE + b"\n---\nbody\n")
    assert violations == []


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"webUrl": "https://a.org/\\ud800"}', id="surrogate-in-webUrl"),
        pytest.param(b'{"\\ud800": 1}', id="surrogate-in-key"),
    ],
)
def test_regression_fingerprint_of_lone_surrogates(content: bytes) -> None:
    run, violations = _run_one("record.json", content)
    assert run is not None, violations


def test_regression_lone_surrogates_end_to_end() -> None:
    """A lone surrogate from a JSON escape, checked as the CLI does (cache on): no exception,
    and every report can be written as UTF-8."""
    content = (
        b'{"webUrl": "https://a.org/\\ud800", "ampWebUrl": "https://a.org/\\ud800", '
        b'"cdnAmpWebUrl": "https://b.org/", "\\udfff": 1}'
    )
    with tempfile.TemporaryDirectory(prefix="newslint-fuzz-") as tmp:
        S.prepare_folder(Path(tmp))
        path = Path(tmp) / "record.json"
        path.write_bytes(content)
        run, violations = S.checked_run([path], cache=True)
        if run is not None:
            violations += S.report_violations(run)
    assert violations == []


def test_regression_many_body_findings_are_linear() -> None:
    """6,000 mojibake lines (150 KB), 12,000 findings: ~20 s when quadratic, ~0.5 s when
    linear; a 3 s record limit keeps the test short and tells the two apart."""
    body = b"\xc3\x83\xc2\xa9 and more words here\n" * 6_000
    _, violations = _run_one("many.txt", body, config="[limits]\nrecord-seconds = 3\n")
    assert violations == []


def test_regression_junit_report_is_linear_in_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted, not timed: comparisons between findings while rendering 400+ findings of one
    file (~80,000 when quadratic)."""
    run, raised = _checked_alone("dups.md", b"---\n" + b"a: 1\n" * 400 + b"---\nbody\n")
    assert run is not None, raised
    findings = len(run.result.findings)
    compared = 0
    equal = Finding.__eq__

    def counting(self: Finding, other: object) -> bool:
        nonlocal compared
        compared += 1
        return equal(self, other)

    monkeypatch.setattr(Finding, "__eq__", counting)
    run.render("junit")
    assert compared <= 20 * findings


def test_regression_junit_report_is_well_formed_with_control_characters() -> None:
    content = b'---\nampWebUrl: "https://a.org/\\0"\ncdnAmpWebUrl: "https://b.org/"\n---\nbody\n'
    _, violations = _run_one("nul.md", content)
    assert violations == []

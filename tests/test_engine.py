"""The engine: a crashing rule is a finding, the run goes on, and the exit code is 2."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import validator.engine as engine_module
from rules.body import BodyTooShort
from tests.helpers import VALID_BODY, check_files, fields, findings_of, markdown
from validator import __version__
from validator.config import DEFAULT_INCLUDE, Config
from validator.engine import CRASH_CODE, CRASH_SLUG, CheckRequest, RunResult, run_check
from validator.findings import Finding, Problem, Severity
from validator.load import InputLimits, LoadedFile
from validator.records import Record
from validator.registry import build_registry, default_registry
from validator.report import REPORTERS, ReportContext
from validator.rule import CheckContext, Rule
from validator.selection import Selection


class Exploding(Rule):
    slug = "acme/exploding"
    code = "AC001"
    severity = Severity.WARNING
    summary = "Crashes on titles saying boom"
    what = "Test rule."
    why = "Test rule."
    bad = "title: boom"
    good = "title: calm"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        title = record.get("title")
        if title == "boom":
            raise KeyError("exploded on purpose")
        yield Problem(f"saw title {title!r}", pointer="/title")


def registry_with_exploding():
    found = [
        (default_registry().sources[slug], rule) for slug, rule in default_registry().rules.items()
    ]
    return build_registry([*found, ("acme = tests:Exploding", Exploding)])


def run_manually(tmp_path: Path, files: dict[str, str]) -> tuple[RunResult, object]:
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    registry = registry_with_exploding()
    request = CheckRequest(
        paths=[tmp_path],
        root=tmp_path.resolve(),
        selection=Selection(Config(), registry, ["acme", "input"]),
        context=CheckContext(),
        limits=InputLimits(),
        include=list(DEFAULT_INCLUDE),
        exclude=[],
    )
    return run_check(request), registry


def test_rule_crash_becomes_finding_and_other_records_checked(tmp_path: Path) -> None:
    lines = [
        json.dumps(fields(title=title, body=VALID_BODY)) for title in ("calm", "boom", "quiet")
    ]
    result, _ = run_manually(
        tmp_path, {"a.jsonl": "\n".join(lines) + "\n", "b.md": markdown(fields(title="boom"))}
    )
    crashes = [f for f in result.findings if f.rule == CRASH_SLUG]
    assert {(Path(f.path).name, f.record) for f in crashes} == {("a.jsonl", 1), ("b.md", 0)}
    for crash in crashes:
        assert crash.code == CRASH_CODE
        assert crash.severity is Severity.ERROR
        assert "acme/exploding" in crash.message
        assert "KeyError" in crash.message and "exploded on purpose" in crash.message
    jsonl_crash = next(f for f in crashes if f.path.endswith("a.jsonl"))
    assert jsonl_crash.line == 2
    normal = [(f.record, f.line) for f in result.findings if f.rule == "acme/exploding"]
    assert normal == [(0, 1), (2, 3)]
    assert result.crashed is True
    for fail_on in ("error", "warning", "info", "never"):
        assert result.exit_code(fail_on) == 2
    assert [Path(f.path).name for f in result.files] == ["a.jsonl", "b.md"]


def test_crash_shows_in_reports(tmp_path: Path) -> None:
    result, registry = run_manually(tmp_path, {"b.md": markdown(fields(title="boom"))})
    context = ReportContext(result, registry, __version__)
    assert "a rule crashed (exit 2)" in REPORTERS["text"](context).splitlines()[-1]
    assert json.loads(REPORTERS["json"](context))["summary"]["exit_code"] == 2
    root = ET.fromstring(REPORTERS["junit"](context))
    assert root.get("errors") == "1"
    error = next(root.iter("error"))
    assert error.get("type") == CRASH_SLUG


def test_monkeypatched_builtin_rule_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = BodyTooShort.check

    def flaky(self, record, context):
        if record.get("title") == "boom":
            raise ZeroDivisionError("division by zero")
        return real(self, record, context)

    monkeypatch.setattr(BodyTooShort, "check", flaky)
    run = check_files(
        tmp_path,
        {
            "a.md": markdown(fields(title="boom"), body="Short.\n"),
            "b.md": markdown(fields(title="calm"), body="Short.\n"),
        },
        select=["body"],
    )
    assert run.exit_code == 2
    [crash] = findings_of(run, CRASH_SLUG)
    assert crash.path.endswith("a.md")
    assert "body/too-short" in crash.message and "ZeroDivisionError" in crash.message
    [short] = findings_of(run, "body/too-short")
    assert short.path.endswith("b.md")


def test_long_exception_text_is_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def noisy(self, record, context):
        raise ValueError("x" * 1000)

    monkeypatch.setattr(BodyTooShort, "check", noisy)
    run = check_files(tmp_path, {"a.md": markdown()}, select=["body/too-short"])
    [crash] = run.result.findings
    assert len(crash.message) < 400
    assert crash.message.count("x") <= 200


def test_findings_sorted_within_file(tmp_path: Path) -> None:
    body = "Accessibility links\n\nBreaking News\n\n" + VALID_BODY
    run = check_files(tmp_path, {"a.txt": body, "b.md": markdown(body="\n")})
    keys = [f.sort_key() for f in run.result.findings]
    assert keys == sorted(keys)


def test_file_status(tmp_path: Path) -> None:
    run = check_files(tmp_path, {"a.md": markdown(), "b.md": markdown(body="\n"), "c.md": b"\x00"})
    assert [(Path(f.path).name, f.status) for f in run.result.files] == [
        ("a.md", "clean"),
        ("b.md", "findings"),
        ("c.md", "unreadable"),
    ]


def test_exit_code_thresholds() -> None:
    def finding(severity: Severity) -> Finding:
        return Finding("body/too-short", "BD002", severity, "m", "a.md", 1, 1, None, "", 0)

    warnings = RunResult(findings=[finding(Severity.WARNING)])
    assert [warnings.exit_code(f) for f in ("error", "warning", "info", "never")] == [0, 1, 1, 0]
    infos = RunResult(findings=[finding(Severity.INFO)])
    assert [infos.exit_code(f) for f in ("error", "warning", "info", "never")] == [0, 0, 1, 0]
    assert RunResult().exit_code("info") == 0


def test_end_line_not_after_line_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def odd(self, record, context):
        yield Problem("same line", line=5, end_line=5)
        yield Problem("spans", line=5, end_line=7)

    monkeypatch.setattr(BodyTooShort, "check", odd)
    run = check_files(tmp_path, {"a.md": markdown()}, select=["body/too-short"])
    assert [(f.message, f.end_line) for f in run.result.findings] == [
        ("same line", None),
        ("spans", 7),
    ]


def test_a_read_that_stalls_mid_file_is_reported_there_and_the_rest_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSON lines file is read while it is checked: each read has the record time limit."""

    def stalling(path: Path, shown: str, limits: InputLimits, digest: bool) -> LoadedFile:
        def records() -> Iterator[Record]:
            yield Record(shown, 0, 1, "jsonl", data=fields(), body="Short.")
            yield Record(shown, 1, 3, "jsonl", data=fields(), body="Short.")
            time.sleep(30)  # a read that hangs (a stalled network filesystem)
            yield Record(shown, 2, 4, "jsonl", data=fields(), body="Short.")

        return LoadedFile(shown, records())

    monkeypatch.setattr(engine_module, "load_file", stalling)
    started = time.monotonic()
    run = check_files(
        tmp_path,
        {"a.jsonl": ""},
        select=["input", "body/too-short"],
        config="[limits]\nrecord-seconds = 0.3\n",
        use_cache=False,
    )
    assert time.monotonic() - started < 10
    assert [f.record for f in findings_of(run, "body/too-short")] == [0, 1]
    [stalled] = findings_of(run, "input/too-large")
    assert (stalled.line, stalled.record) == (4, 2)
    assert "0.3 s after line 3" in stalled.message and "record-seconds" in stalled.message
    assert run.result.files[0].records == 3


@pytest.mark.parametrize("stall_after", [0, 1], ids=["before-any-record", "mid-file"])
def test_a_read_that_times_out_is_read_again_next_run_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stall_after: int
) -> None:
    reads = []

    def stalling(path: Path, shown: str, limits: InputLimits, digest: bool) -> LoadedFile:
        reads.append(path)
        if stall_after == 0:
            time.sleep(30)  # the whole read hangs

        def records() -> Iterator[Record]:
            yield Record(shown, 0, 1, "jsonl", data=fields(), body="Short.")
            time.sleep(30)  # a later line hangs
            yield Record(shown, 1, 2, "jsonl", data=fields(), body="Short.")

        return LoadedFile(shown, records())

    monkeypatch.setattr(engine_module, "load_file", stalling)
    for _ in range(2):
        run = check_files(
            tmp_path,
            {"a.jsonl": "{}\n{}\n"},
            select=["input"],
            config="[limits]\nrecord-seconds = 0.2\n",
        )
        assert [f.rule for f in run.result.findings] == ["input/too-large"]
    assert len(reads) == 2  # the second run did not take the time-out from the cache

"""The JSON report: valid against schemas/report.schema.json, every input file listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from tests.helpers import REPO, VALID_BODY, check_files, fields, markdown
from validator.app import CheckOptions, check

REPORT_SCHEMA = json.loads((REPO / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(REPORT_SCHEMA)

MIXED = {
    "clean.md": markdown(),
    "empty-body.md": markdown(body="\n"),
    "body-only.txt": "Accessibility links\n\nJust a teaser.\n",
    "photo.md": b"\x89PNG\r\n\x1a\n\x00\x00",
    "records.jsonl": json.dumps(fields(body=VALID_BODY)) + "\n{broken\n",
    "array.json": json.dumps(
        [fields(body=VALID_BODY), fields(images=[{"url": "https://e.org/a.jpg"}])]
    ),
}


def report_of(tmp_path: Path, files=MIXED, **options) -> dict:
    run = check_files(tmp_path, files, **options)
    return json.loads(run.render("json"))


def test_report_schema_is_itself_valid() -> None:
    Draft202012Validator.check_schema(REPORT_SCHEMA)


def test_mixed_report_is_valid_and_lists_every_file(tmp_path: Path) -> None:
    report = report_of(tmp_path)
    errors = sorted(VALIDATOR.iter_errors(report), key=str)
    assert not errors, [e.message for e in errors]
    paths = [entry["path"] for entry in report["files"]]
    assert sorted(Path(p).name for p in paths) == sorted(MIXED)
    by_name = {Path(entry["path"]).name: entry for entry in report["files"]}
    assert by_name["clean.md"]["status"] == "clean"
    assert by_name["photo.md"]["status"] == "unreadable"
    assert by_name["empty-body.md"]["status"] == "findings"
    assert by_name["array.json"]["records"] == 2
    assert by_name["records.jsonl"]["records"] == 2


def test_summary_matches_findings(tmp_path: Path) -> None:
    report = report_of(tmp_path)
    summary, findings = report["summary"], report["findings"]
    assert summary["findings"] == len(findings) > 0
    assert summary["files"] == len(MIXED)
    assert summary["records"] == sum(entry["records"] for entry in report["files"])
    for severity in ("error", "warning", "info"):
        assert summary["by_severity"][severity] == sum(
            1 for f in findings if f["severity"] == severity
        )
    rules = {}
    for finding in findings:
        rules[finding["rule"]] = rules.get(finding["rule"], 0) + 1
    assert summary["by_rule"] == rules
    assert summary["exit_code"] == 1
    assert report["tool"]["name"] == "newslint"


def test_known_finding_round_trips(tmp_path: Path) -> None:
    report = report_of(tmp_path, {"a.md": markdown(body="\n")})
    [finding] = report["findings"]
    closing = markdown(body="\n").split("\n").index("---", 1) + 1
    assert finding["rule"] == "body/missing"
    assert finding["code"] == "BD001"
    assert finding["severity"] == "error"
    assert finding["line"] == closing + 1
    assert finding["column"] == 1
    assert finding["end_line"] is None
    assert finding["record"] == 0
    assert finding["path"].endswith("a.md")


def test_pointers_and_records_in_report(tmp_path: Path) -> None:
    report = report_of(tmp_path, {"array.json": MIXED["array.json"]}, select=["image"])
    assert {(f["pointer"], f["record"]) for f in report["findings"]} == {("/images/0", 1)}
    assert not list(VALIDATOR.iter_errors(report))


def test_clean_run_report(tmp_path: Path) -> None:
    report = report_of(tmp_path, {"a.md": markdown()})
    assert not list(VALIDATOR.iter_errors(report))
    assert report["findings"] == []
    assert report["summary"]["exit_code"] == 0
    assert report["summary"]["by_rule"] == {}


def test_unreadable_and_missing_paths_are_in_files(tmp_path: Path) -> None:
    (tmp_path / "newslint.toml").write_text("")
    run = check(CheckOptions(paths=[tmp_path / "missing.md", tmp_path / "missing-folder"]))
    report = json.loads(run.render("json"))
    assert not list(VALIDATOR.iter_errors(report))
    assert sorted(Path(entry["path"]).name for entry in report["files"]) == [
        "missing-folder",
        "missing.md",
    ]
    assert {entry["status"] for entry in report["files"]} == {"unreadable"}


@pytest.mark.parametrize("fail_on,code", [("never", 0), ("error", 1), ("warning", 1)])
def test_summary_exit_code_follows_fail_on(tmp_path: Path, fail_on: str, code: int) -> None:
    report = report_of(tmp_path, {"a.md": markdown(body="\n")}, fail_on=fail_on)
    assert report["summary"]["exit_code"] == code


def test_report_keeps_non_ascii_text(tmp_path: Path) -> None:
    text = markdown(fields(title="Russia’s plan"), body="Accessibility links\n\n" + VALID_BODY)
    rendered = check_files(tmp_path, {"ü.md": text}, select=["boilerplate"]).render("json")
    report = json.loads(rendered)
    assert report["files"][0]["path"].endswith("ü.md")
    assert not list(VALIDATOR.iter_errors(report))

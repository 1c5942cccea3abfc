"""Hostile record content and file names against every report format: each report stays
valid for its consumer, keeps every finding where it belongs, and carries no live markup or
commands."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import check_files, markdown
from tests.report.helpers import finding, sarif_validator
from validator.engine import FileOutcome, RunResult
from validator.findings import Finding
from validator.registry import default_registry
from validator.report import render
from validator.report.base import ReportContext
from validator.report.html import render_html
from validator.report.markdown import render_markdown

# A file name that would start a workflow command of its own on the line after a newline.
INJECTING_NAME = "a\n::warning file=evil.md::injected.md"


def context_of(
    files: dict[str, list[Finding]], *, crashed: bool = False, extra: list[Finding] | None = None
) -> ReportContext:
    """A run of ``files`` (path -> its findings), plus findings of paths not among them."""
    result = RunResult()
    for path, findings in files.items():
        status = "findings" if findings else "clean"
        result.add(FileOutcome(path, 1, status, 1, findings, crashed=crashed))
    result.findings.extend(extra or [])
    return ReportContext(result, default_registry(), "1.0")


def test_text_report_shows_control_characters_in_paths_as_escapes(tmp_path: Path) -> None:
    """A newline in a file name must not start a new output line: in a CI log the text
    report's lines are read as GitHub workflow commands (``::warning …``, ``::add-mask::``),
    and an escape sequence would drive the terminal."""
    names = {INJECTING_NAME: markdown(body="\n"), "esc\x1b[31mred.md": markdown(body="\n")}
    output = check_files(tmp_path, names).render("text")
    lines = output.splitlines()
    assert not any(line.startswith("::") for line in lines), lines
    assert "\x1b" not in output
    assert len(lines) == 3  # one line per finding, then the summary
    assert "a\\x0a::warning file=evil.md::injected.md:" in output


def test_markdown_summary_shows_provider_names_as_code(tmp_path: Path) -> None:
    """Provider names come from records: in the job summary or a pull-request comment they
    must not split the table (``|``, newlines), load an image, link anywhere or mention
    somebody (``@user``). A code span shows them as text."""
    hostile = "a|b\n![t](https://evil.example/t.png) @octocat `x`"
    report = {
        "tool": {"version": "1.0"},
        "stats": {
            "files": 1,
            "records": 1,
            "clean_share": 0.0,
            "clean_records": 0,
            "findings": 2,
            "findings_by_severity": {"error": 2},
            "findings_by_rule": {"body/missing": 2},
            "top_providers": [{"provider": hostile, "records": 1, "findings": 2, "rate": 2.0}],
        },
        "history": {"alerts": [{"provider": hostile, "rate": 2.0, "usual": 0.5}]},
    }
    text = render_markdown(report)
    [row] = [line for line in text.splitlines() if "evil.example" in line and line[0] == "|"]
    # The row keeps its four cells: every '|' of the name is escaped.
    assert len(row.replace("\\|", "").split("|")) == 6, row
    assert "`` a\\|b ![t](https://evil.example/t.png) @octocat `x` ``" in row
    [alert] = [line for line in text.splitlines() if line.startswith("- ")]
    assert alert.startswith("- **`` a|b ![t](https://evil.example/t.png) @octocat `x` ``**")


def test_sarif_absolute_paths_are_file_uris() -> None:
    """A file outside the working folder is shown with its absolute path; with a uriBaseId
    it would resolve under the source root (``/tmp/x`` as ``<repo>/tmp/x``). SARIF wants an
    absolute ``file:`` URI there, without uriBaseId."""
    path = "/tmp/news dir/a#1%?.md"
    sarif = json.loads(render("sarif", context_of({path: [finding(path=path)]})))
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "file:///tmp/news%20dir/a%231%25%3F.md"}
    assert not list(sarif_validator().iter_errors(sarif))


def test_sarif_region_is_valid_whatever_the_finding_says() -> None:
    """SARIF regions are 1-based and end at or after their start: a finding without a
    usable line (0) or with an end before its start still gives a valid result, located in
    its file."""
    findings = [finding(line=0, column=0), finding(line=5, end_line=2)]
    sarif = json.loads(render("sarif", context_of({"news/a.md": findings})))
    assert not list(sarif_validator().iter_errors(sarif))
    first, second = (r["locations"][0]["physicalLocation"] for r in sarif["runs"][0]["results"])
    assert "region" not in first
    assert first["artifactLocation"]["uri"] == "news/a.md"
    assert second["region"] == {"startLine": 5, "startColumn": 2}


def test_sarif_marks_a_crashed_run_unsuccessful() -> None:
    """A crashed rule or a file read only in part (time limit) means the analysis is
    incomplete: the SARIF invocation says so (executionSuccessful false; exit code 2 for a
    crash), not only a result among the others."""
    crash = finding(rule="internal/rule-crash", code="NL001", message="rule x crashed")
    crashed = json.loads(render("sarif", context_of({"a.md": [crash]}, crashed=True)))
    assert not list(sarif_validator().iter_errors(crashed))
    [invocation] = crashed["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 2
    clean = json.loads(render("sarif", context_of({"a.md": []})))
    assert clean["runs"][0]["invocations"][0]["executionSuccessful"] is True
    stalled = context_of({"a.jsonl": [finding(rule="input/too-large", code="IN008")]})
    stalled.result.timed_out = True  # the rest of the file was not read
    incomplete = json.loads(render("sarif", stalled))
    assert incomplete["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_junit_keeps_findings_of_paths_not_among_the_files() -> None:
    """Every finding must reach the JUnit consumer: one whose path is not among the checked
    files (a corpus finding, a merged result) gets a test case of its own instead of being
    dropped, and counts as a failure."""
    orphan = finding(path="elsewhere.md", message="only here")
    xml = render("junit", context_of({"a.md": []}, extra=[orphan]))
    root = ET.fromstring(xml)
    names = [case.get("name") for case in root.iter("testcase")]
    assert names == ["a.md", "elsewhere.md"]
    assert root.get("tests") == "2"
    assert root.get("failures") == "1"
    assert "only here" in xml


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github", "junit"])
def test_lone_surrogates_never_break_a_report(output_format: str) -> None:
    """A lone surrogate (from a message no rule made printable) cannot be written as UTF-8:
    the report must still be writable and parse back."""
    lone = finding(message="broken \ud800 text")
    output = render(output_format, context_of({"news/a.md": [lone]}))
    output.encode("utf-8")  # would raise UnicodeEncodeError
    if output_format in ("json", "sarif"):
        json.loads(output)


def test_html_page_with_a_lone_surrogate_can_be_written() -> None:
    """The HTML page is written as UTF-8: a lone surrogate in the report's data (a message,
    a provider) must not make the audit fail at its last step; the data blob stays JSON."""
    lone = finding(message="broken \ud800 text")
    document = json.loads(render("json", context_of({"news/a.md": [lone]})))
    page = render_html(document, {})
    page.encode("utf-8")  # would raise UnicodeEncodeError
    blob = page.split('id="findings-data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(blob)["messages"] == ["broken \ud800 text"]


def test_html_ids_are_unique_whatever_the_rule_names() -> None:
    """Each rule card has an id and its heading that id plus '-h': two rules must never
    share one, or a rule's link lands on another rule's card."""
    findings = [finding(rule="a/b"), finding(rule="a-b/h")]
    document = json.loads(render("json", context_of({"news/a.md": findings})))
    page = render_html(document, {})
    ids = re.findall(r'\bid="([^"]*)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)

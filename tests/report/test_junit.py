"""JUnit XML: one test case per file; findings at or above --fail-on are its failure."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import VALID_BODY, check_files, markdown

FILES = {
    "clean.md": markdown(),
    "error.md": markdown(body="\n"),
    "warnings.txt": "Accessibility links\n\n" + VALID_BODY,
    "photo.md": b"\x89PNG\r\n\x1a\n\x00\x00",
}


def junit_of(tmp_path: Path, files=FILES, **options) -> tuple[str, ET.Element]:
    xml = check_files(tmp_path, files, **options).render("junit")
    return xml, ET.fromstring(xml)


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {Path(case.get("name")).name: case for case in root.iter("testcase")}


def test_one_testcase_per_file(tmp_path: Path) -> None:
    xml, root = junit_of(tmp_path)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert root.tag == "testsuites"
    assert sorted(cases(root)) == sorted(FILES)
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("tests") == str(len(FILES)) == root.get("tests")


def test_failures_for_files_with_errors(tmp_path: Path) -> None:
    _, root = junit_of(tmp_path)
    by_name = cases(root)
    assert by_name["clean.md"].find("failure") is None
    assert by_name["clean.md"].find("system-out") is None
    failure = by_name["error.md"].find("failure")
    assert failure is not None
    assert failure.get("type") == "body/missing"
    assert "body/missing" in failure.get("message")
    assert "[body/missing BD001]" in failure.text
    assert by_name["photo.md"].find("failure").get("type") == "input/binary"
    # warnings only: not a failure under the default fail-on=error, but still shown
    assert by_name["warnings.txt"].find("failure") is None
    assert "input/no-front-matter" in by_name["warnings.txt"].find("system-out").text
    assert root.get("failures") == "2"
    assert root.get("errors") == "0"


def test_warnings_fail_under_fail_on_warning(tmp_path: Path) -> None:
    _, root = junit_of(tmp_path, fail_on="warning")
    by_name = cases(root)
    assert by_name["warnings.txt"].find("failure") is not None
    assert root.get("failures") == "3"


def test_nothing_fails_under_fail_on_never(tmp_path: Path) -> None:
    _, root = junit_of(tmp_path, fail_on="never")
    assert not list(root.iter("failure"))
    assert root.get("failures") == "0"
    assert cases(root)["error.md"].find("system-out") is not None


def test_failure_lists_every_blocking_finding(tmp_path: Path) -> None:
    _, root = junit_of(tmp_path, {"two.md": markdown(body="\n") + "x"}, fail_on="info")
    failure = cases(root)["two.md"].find("failure")
    assert failure is not None
    lines = failure.text.splitlines()
    assert len(lines) == int(failure.get("message").split(" ")[0])
    assert all(line.startswith(str(Path(cases(root)["two.md"].get("name")))) for line in lines)


def test_junitparser_reads_it_when_installed(tmp_path: Path) -> None:
    junitparser = pytest.importorskip(
        "junitparser", reason="junitparser is not installed (optional)"
    )
    path = tmp_path / "report.xml"
    xml, _ = junit_of(tmp_path)
    path.write_text(xml, encoding="utf-8")
    document = junitparser.JUnitXml.fromfile(str(path))
    names = [case.name for suite in document for case in suite]
    assert sorted(Path(n).name for n in names) == sorted(FILES)

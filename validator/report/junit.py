"""JUnit XML: one test case per checked file; its findings are the failure."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from typing import TextIO

from validator.findings import Finding, Severity
from validator.report.base import ReportContext

_FAILING = {"error": {Severity.ERROR}, "warning": {Severity.ERROR, Severity.WARNING}}


def render(context: ReportContext) -> str:
    result = context.result
    failing = _FAILING.get(context.fail_on, set(Severity) if context.fail_on == "info" else set())
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_path[finding.path].append(finding)
    suites = ET.Element("testsuites", name="newslint")
    suite = ET.SubElement(suites, "testsuite", name="newslint")
    failures = errors = 0
    paths = _case_paths([file.path for file in result.files], by_path)
    for path in paths:
        case = ET.SubElement(
            suite,
            "testcase",
            classname="newslint",
            name=_xml_safe(path),
            file=_xml_safe(path),
        )
        findings = by_path.get(path, [])
        crashes, blocking, rest = [], [], []
        for finding in findings:  # one pass: a file may hold many thousands of findings
            if finding.rule == "internal/rule-crash":
                crashes.append(finding)
            elif finding.severity in failing:
                blocking.append(finding)
            else:
                rest.append(finding)
        if crashes:
            errors += 1
            element = ET.SubElement(
                case, "error", message=_xml_safe(crashes[0].message), type="internal/rule-crash"
            )
            element.text = "\n".join(_line(f) for f in crashes)
        if blocking:
            failures += 1
            first = blocking[0]
            element = ET.SubElement(
                case,
                "failure",
                message=_xml_safe(
                    f"{len(blocking)} finding(s); first: {first.rule}: {first.message}"
                ),
                type=first.rule,
            )
            element.text = "\n".join(_line(f) for f in blocking)
        if rest:
            ET.SubElement(case, "system-out").text = "\n".join(_line(f) for f in rest)
    for element in (suites, suite):
        element.set("tests", str(len(paths)))
        element.set("failures", str(failures))
        element.set("errors", str(errors))
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


def _case_paths(file_paths: list[str], finding_paths: Iterable[str]) -> list[str]:
    """One test case per path: the checked files in order, then any path that has findings
    but is not among them (else its findings would be lost to the consumer)."""
    listed = set(file_paths)
    return file_paths + [path for path in finding_paths if path not in listed]


def _line(finding: Finding) -> str:
    return _xml_safe(
        f"{finding.path}:{finding.line}:{finding.column}: {finding.severity.value} "
        f"[{finding.rule} {finding.code}] {finding.message}"
    )


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot hold control characters or lone surrogates, even escaped."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def write(context: ReportContext, out: TextIO) -> None:
    out.write(render(context))  # one document: written whole

"""GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import VALID_BODY, check_files, markdown
from tests.report.helpers import finding
from validator.engine import FileResult, RunResult
from validator.findings import Finding, Severity
from validator.registry import default_registry
from validator.report import REPORTERS, ReportContext

render = REPORTERS["github"]

COMMAND = re.compile(
    r"^::(error|warning|notice) file=([^,:]+),line=(\d+),col=(\d+)(?:,endLine=(\d+))?,title=([^,:]+)::(.*)$"
)


def render_findings(*findings: Finding) -> list[str]:
    result = RunResult(files=[FileResult("news/a.md", 1, "findings")], findings=list(findings))
    return render(ReportContext(result, default_registry(), "0.0.0")).splitlines()


def test_command_format() -> None:
    lines = render_findings(finding())
    assert lines[0] == "::error file=news/a.md,line=3,col=2,title=body/missing (BD001)::plain"
    assert lines[-1].startswith("1 finding (1 error, 0 warnings, 0 infos) in 1 file")


def test_severity_commands_and_end_line() -> None:
    lines = render_findings(
        finding(severity=Severity.WARNING, end_line=9),
        finding(severity=Severity.INFO),
    )
    assert lines[0].startswith("::warning file=news/a.md,line=3,col=2,endLine=9,title=")
    assert lines[1].startswith("::notice ")


def test_message_escaping() -> None:
    [line, _] = render_findings(finding(message="50% done\nsecond line\r\nthird, with: colon"))
    assert line.endswith("::50%25 done%0Asecond line%0D%0Athird, with: colon")
    assert "\n" not in line and "\r" not in line


def test_property_escaping() -> None:
    [line, _] = render_findings(finding(path="news/a,b:c%\n.md"))
    assert "file=news/a%2Cb%3Ac%25%0A.md," in line
    match = COMMAND.match(line)
    assert match is not None
    assert match.group(2) == "news/a%2Cb%3Ac%25%0A.md"


def test_real_run_lines_parse(tmp_path: Path) -> None:
    text = markdown(body="\n")
    run = check_files(
        tmp_path,
        {"a.md": text, "b.txt": "Accessibility links\n\n" + VALID_BODY, "odd, name.md": text},
    )
    lines = run.render("github").splitlines()
    commands = [COMMAND.match(line) for line in lines[:-1]]
    assert all(commands), lines
    assert len(commands) == len(run.result.findings)
    by_rule = {(Path(m.group(2)).name, m.group(6)): m for m in commands}
    missing = by_rule[("a.md", "body/missing (BD001)")]
    assert missing.group(1) == "error"
    assert int(missing.group(3)) == text.split("\n").index("---", 1) + 2
    assert ("odd%2C name.md", "body/missing (BD001)") in by_rule
    assert by_rule[("b.txt", "input/no-front-matter (IN006)")].group(1) == "warning"
    assert "finding" in lines[-1]

"""A Markdown summary of an audit, fit for a CI job summary or a pull-request comment."""

from __future__ import annotations

import re
from typing import Any

from validator.engine import printable

TOP_RULES = 10
_BACKTICKS = re.compile("`+")


def _code(text: str, *, in_table: bool = False) -> str:
    """Record text (a provider name) as a code span: shown as written, never as a link, an
    image, HTML or an @mention, and on one line. In a table '|' is escaped, as GFM splits
    cells before it reads code spans."""
    text = printable(" ".join(text.split())) or " "
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence} {text} {fence}"  # the spaces let the text start or end with a backtick


def _delta(now: int, before: int | None) -> str:
    if before is None:
        return ""
    change = now - before
    return " (±0)" if change == 0 else f" ({change:+d})"


def render_markdown(report: dict[str, Any]) -> str:
    stats = report["stats"]
    history = report.get("history", {})
    runs = history.get("runs", [])
    previous = runs[-1] if runs else None
    severity = stats["findings_by_severity"]
    lines = [
        "# newslint report",
        "",
        f"newslint {report['tool']['version']} checked **{stats['files']} files** holding "
        f"**{stats['records']} records**: **{stats['clean_share']:.1%} clean**.",
        "",
        "| | now | |",
        "| --- | ---: | --- |",
    ]
    rows = [
        ("records", stats["records"], previous and previous["records"]),
        ("findings", stats["findings"], previous and previous["findings"]),
        ("errors", severity.get("error", 0), previous and previous["errors"]),
        ("warnings", severity.get("warning", 0), previous and previous["warnings"]),
        ("infos", severity.get("info", 0), previous and previous["infos"]),
        ("clean records", stats["clean_records"], previous and previous["clean_records"]),
    ]
    for label, now, before in rows:
        change = _delta(now, before) if previous else ""
        lines.append(f"| {label} | {now} | {'since the previous run' + change if change else ''} |")
    if previous:
        lines += ["", f"Compared with the previous run of {previous['started_at']}."]
    else:
        lines += ["", "No earlier run in the history: this is the first."]
    alerts = history.get("alerts", [])
    if alerts:
        lines += ["", "## Providers to look at", ""]
        lines += [
            f"- **{_code(a['provider'])}**: {a['rate']:.2f} findings per record, up from a usual "
            f"{a['usual']:.2f}"
            for a in alerts
        ]
    by_rule = sorted(stats["findings_by_rule"].items(), key=lambda kv: (-kv[1], kv[0]))
    if by_rule:
        lines += ["", "## Findings by rule", "", "| rule | findings |", "| --- | ---: |"]
        lines += [f"| `{rule}` | {count} |" for rule, count in by_rule[:TOP_RULES]]
        if len(by_rule) > TOP_RULES:
            lines.append(f"| … {len(by_rule) - TOP_RULES} more rules | |")
    if stats["top_providers"]:
        lines += [
            "",
            "## Providers with the most findings",
            "",
            "| provider | records | findings | per record |",
            "| --- | ---: | ---: | ---: |",
        ]
        for row in stats["top_providers"]:
            rate = f"{row['rate']:.2f}" if row["rate"] is not None else "–"
            provider = _code(row["provider"], in_table=True)
            lines.append(f"| {provider} | {row['records']} | {row['findings']} | {rate} |")
    return "\n".join(lines) + "\n"

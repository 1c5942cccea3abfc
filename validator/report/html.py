"""The HTML audit report: one self-contained page (no network: CSS, JS, data and charts inline).

The charts are inline SVG drawn here. The findings travel as one JSON blob in a
``<script type="application/json">`` element (every ``<``, ``>`` and ``&`` escaped, so no
record text can close the element); a small inline script (html_assets/report.js) filters,
sorts and pages them, putting one page of rows into the DOM at a time and inserting every
string with textContent. Without JavaScript the first page, rendered here, still shows.

The page reads its filters from the URL fragment, e.g. ``report.html#q=body&severity=error``
(keys: q, severity, rule, sort — a column name, ``-`` before it for descending — and page).
"""

from __future__ import annotations

import html
import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

PAGE_SIZE = 100
TOP_PROVIDERS = 15
SEVERITIES = ("error", "warning", "info")
# A shape for each severity, so that colour is never the only signal.
MARKS = {"error": "✖", "warning": "▲", "info": "●"}
PLURAL = {"error": "errors", "warning": "warnings", "info": "infos"}
NO_MONTH = "(none)"
MAX_FILLED_MONTHS = 600  # past this span, months without records are not filled in
MAX_MARKERS = 120
CHAR_W = 6.2  # the width of a character of an 11px axis label, near enough  # a line with more points than this is drawn without point markers


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _n(value: int | float) -> str:
    return f"{value:,}"


def script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' survives unescaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


@cache
def _asset(name: str) -> str:
    return (resources.files("validator.report") / "html_assets" / name).read_text("utf-8")


def rule_anchors(slugs: Iterable[str]) -> dict[str, str]:
    """The id of each rule's card section: ``rule-`` and the slug with '/' made '-'."""
    anchors: dict[str, str] = {}
    taken: set[str] = set()
    for slug in sorted(set(slugs)):
        base = "rule-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in slug)
        anchor, n = base, 2
        # The card's heading takes the id plus '-h': 'a/b' and 'a-b/h' must not meet there.
        while anchor in taken or f"{anchor}-h" in taken:
            anchor, n = f"{base}-{n}", n + 1
        taken.update((anchor, f"{anchor}-h"))
        anchors[slug] = anchor
    return anchors


def common_directory(paths: Iterable[str]) -> str:
    """The directory all paths share, with a trailing separator ('' when there is none)."""
    folders = {os.path.dirname(p) for p in paths}
    if not folders:
        return ""
    try:
        common = os.path.commonpath(sorted(folders))
    except ValueError:  # absolute and relative paths mixed
        return ""
    if not common or common == os.sep:
        return ""
    return common + os.sep


# --------------------------------------------------------------------------- charts


def nice_ticks(maximum: float, count: int = 5) -> list[int]:
    """Round, whole-number axis ticks from 0 to at least ``maximum``."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = magnitude * 10
    for factor in (1, 2, 2.5, 5, 10):
        if magnitude * factor >= raw and float(magnitude * factor).is_integer():
            step = int(magnitude * factor)
            break
    step = max(1, int(step))
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def _short(label: str, size: int) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


@dataclass
class Bar:
    label: str
    segments: list[tuple[str, int]]  # (css class, value)
    flagged: bool = False
    href: str | None = None
    note: str = ""

    @property
    def total(self) -> int:
        return sum(value for _, value in self.segments)


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], unit: str) -> str:
    """A horizontal bar chart; a bar of several segments is stacked in their order."""
    width, label_w, value_w, row_h, bar_h, top, bottom = 640, 190, 70, 26, 16, 8, 30
    plot_w = width - label_w - value_w
    height = top + row_h * len(bars) + bottom
    ticks = nice_ticks(max((b.total for b in bars), default=0))
    scale = plot_w / ticks[-1]
    parts = [
        f'<svg class="chart bar-chart" id="{_e(chart_id)}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{_e(chart_id)}-t" data-bars="{len(bars)}" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>',
        f'<defs><pattern id="{_e(chart_id)}-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" class="hatch-bg"/><line x1="0" y1="0" x2="0" y2="6" '
        'class="hatch-line"/></pattern></defs>',
    ]
    axis_y = top + row_h * len(bars)
    for tick in ticks:
        x = label_w + tick * scale
        parts.append(
            f'<line class="grid" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}"/>'
            f'<text class="tick" x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle">'
            f"{_n(tick)}</text>"
        )
    for index, bar in enumerate(bars):
        y = top + index * row_h
        label = ("⚠ " if bar.flagged else "") + _short(bar.label, 26)
        detail = ", ".join(f"{_n(v)} {cls.removeprefix('seg-')}" for cls, v in bar.segments if v)
        tip = (
            f"{bar.label}: {_n(bar.total)} {unit}"
            + (f" ({detail})" if len(bar.segments) > 1 else "")
            + (f" — {bar.note}" if bar.note else "")
        )
        group_class = "bar-row flagged" if bar.flagged else "bar-row"
        parts.append(
            f'<g class="{group_class}" data-label="{_e(bar.label)}" data-value="{bar.total}">'
            f"<title>{_e(tip)}</title>"
        )
        if bar.href:
            parts.append(f'<a href="{_e(bar.href)}">')
        parts.append(
            f'<text class="label" x="{label_w - 8}" y="{y + bar_h - 3}" text-anchor="end">'
            f"{_e(label)}</text>"
        )
        x = float(label_w)
        for css_class, value in bar.segments:
            if not value:
                continue
            w = max(value * scale, 1.0)
            parts.append(
                f'<rect class="bar {_e(css_class)}" x="{x:.1f}" y="{y + 2}" width="{w:.1f}" '
                f'height="{bar_h}" data-value="{value}"/>'
            )
            x += w
        if bar.flagged:
            parts.append(
                f'<rect class="flag-overlay" x="{label_w}" y="{y + 2}" '
                f'width="{max(x - label_w, 1.0):.1f}" height="{bar_h}" '
                f'fill="url(#{_e(chart_id)}-hatch)"/>'
            )
        parts.append(
            f'<text class="value" x="{x + 6:.1f}" y="{y + bar_h - 3}">{_n(bar.total)}</text>'
        )
        if bar.href:
            parts.append("</a>")
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


@dataclass
class Series:
    name: str
    css_class: str
    values: list[int]


def time_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    lines: Sequence[Series],
    columns: Series | None = None,
) -> str:
    """Columns for one series (optional) and a line for each of the others, over ``labels``."""
    width, right, top, plot_h = 640, 16, 14, 210
    count = len(labels)
    label_every = max(1, math.ceil(count / 12))
    longest = max((len(label) for label in labels), default=0) * CHAR_W
    # Labels that fit side by side stand upright; others are tilted, which takes room below
    # and, for the first one, on the left.
    upright = longest + 8 <= (width - 60 - right) / max(count, 1) * label_every
    if upright:
        left, bottom = 60, 28
    else:
        first = len(labels[0]) * CHAR_W * 0.82 if labels else 0
        left = max(60, math.ceil(first - (width - 60 - right) / max(count, 1) / 2) + 4)
        bottom = 16 + math.ceil(longest * 0.58) + 8
    height = top + plot_h + bottom
    plot_w = width - left - right
    every = [*(columns.values if columns else []), *(v for s in lines for v in s.values)]
    ticks = nice_ticks(max(every, default=0))
    y_scale = plot_h / ticks[-1]
    slot = plot_w / max(count, 1)

    def x_of(i: int) -> float:
        return left + slot * (i + 0.5)

    def y_of(v: int) -> float:
        return top + plot_h - v * y_scale

    parts = [
        f'<svg class="chart time-chart" id="{_e(chart_id)}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{_e(chart_id)}-t" data-points="{count}" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>',
    ]
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_n(tick)}</text>"
        )
    parts.append(
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" '
        f'y2="{top + plot_h}"/>'
    )
    for i, label in enumerate(labels):
        if i % label_every and i != count - 1:
            continue
        if i != count - 1 and count - 1 - i < label_every / 2 and i % label_every == 0 and i:
            continue  # too close to the last label
        x, y = x_of(i), top + plot_h + 16
        if upright:
            parts.append(
                f'<text class="tick x-tick" x="{x:.1f}" y="{y}" text-anchor="middle">'
                f"{_e(label)}</text>"
            )
        else:
            parts.append(
                f'<text class="tick x-tick" x="{x:.1f}" y="{y}" text-anchor="end" '
                f'transform="rotate(-35 {x:.1f} {y})">{_e(label)}</text>'
            )
    if columns is not None:
        col_w = max(min(slot * 0.7, 40.0), 1.0)
        parts.append(
            f'<g class="columns {_e(columns.css_class)}" data-series="{_e(columns.name)}">'
        )
        for i, value in enumerate(columns.values):
            y = y_of(value)
            parts.append(
                f'<rect class="col" x="{x_of(i) - col_w / 2:.1f}" y="{y:.1f}" '
                f'width="{col_w:.1f}" height="{top + plot_h - y:.1f}" data-value="{value}">'
                f"<title>{_e(labels[i])}: {_n(value)} {_e(columns.name)}</title></rect>"
            )
        parts.append("</g>")
    for series in lines:
        points = [(x_of(i), y_of(v)) for i, v in enumerate(series.values)]
        if not points:
            continue
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<g class="series {_e(series.css_class)}" data-series="{_e(series.name)}">'
            f'<path class="line" d="{d}" data-points="{len(points)}"/>'
        )
        if len(points) <= MAX_MARKERS:
            for i, (x, y) in enumerate(points):
                parts.append(
                    f'<circle class="marker" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
                    f"<title>{_e(labels[i])}: {_n(series.values[i])} {_e(series.name)}</title>"
                    "</circle>"
                )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _legend(items: Sequence[tuple[str, str, str]]) -> str:
    """A legend: (css class, kind: 'swatch' | 'line', text). Lines differ in dash, not only hue."""
    out = ['<ul class="legend">']
    for css_class, kind, text in items:
        if kind == "line":
            key = (
                f'<svg class="key" width="28" height="12" aria-hidden="true">'
                f'<g class="series {_e(css_class)}"><path class="line" d="M2,6 L26,6"/>'
                f'<circle class="marker" cx="14" cy="6" r="3.5"/></g></svg>'
            )
        else:
            key = (
                f'<svg class="key" width="14" height="12" aria-hidden="true">'
                f'<rect class="bar {_e(css_class)}" width="14" height="12"/></svg>'
            )
        out.append(f"<li>{key} {_e(text)}</li>")
    out.append("</ul>")
    return "".join(out)


def _data_table(caption: str, head: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = [
        '<details class="chart-data"><summary>Show the numbers</summary>'
        f'<table class="data"><caption>{_e(caption)}</caption><thead><tr>'
    ]
    out += [f'<th scope="col">{_e(h)}</th>' for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = [f'<th scope="row">{_e(row[0])}</th>']
        cells += [
            f'<td class="num">{_n(v)}</td>' if isinstance(v, (int, float)) else f"<td>{_e(v)}</td>"
            for v in row[1:]
        ]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></details>")
    return "".join(out)


def _figure(fig_id: str, heading: str, body: str, note: str = "") -> str:
    note_html = f'<p class="note">{note}</p>' if note else ""
    return (
        f'<figure class="panel" id="{fig_id}" aria-labelledby="{fig_id}-h">'
        f'<figcaption><h3 id="{fig_id}-h">{_e(heading)}</h3></figcaption>{note_html}{body}'
        "</figure>"
    )


def _family_figure(stats: dict[str, Any]) -> str:
    families = sorted(stats.get("findings_by_family", {}).items(), key=lambda kv: (-kv[1], kv[0]))
    if not families:
        return _figure(
            "chart-families", "Findings by rule family", "", "No findings: nothing to chart."
        )
    bars = [
        Bar(name, [("seg-family", count)], href="#" + "q=" + quote(name + "/", safe=""))
        for name, count in families
    ]
    body = bar_chart("svg-families", "Findings by rule family", bars, "findings")
    body += _data_table("Findings by rule family", ("family", "findings"), families)
    return _figure(
        "chart-families",
        "Findings by rule family",
        body,
        "A family is the part of a rule's name before the slash. Select a bar to list its "
        "findings.",
    )


def _provider_figure(stats: dict[str, Any], alerts: list[dict[str, Any]]) -> str:
    by_provider: dict[str, dict[str, int]] = stats.get("by_provider", {})
    flagged = {a["provider"] for a in alerts}
    ranked = sorted(
        (p for p, row in by_provider.items() if row.get("findings")),
        key=lambda p: (-by_provider[p]["findings"], p),
    )
    shown = ranked[:TOP_PROVIDERS]
    shown += [p for p in ranked[TOP_PROVIDERS:] if p in flagged]
    heading = f"Findings by provider (top {min(len(ranked), TOP_PROVIDERS)} of {len(ranked)})"
    if not shown:
        missing = "by_provider" not in stats
        return _figure(
            "chart-providers",
            "Findings by provider",
            "",
            "This report has no statistics by provider."
            if missing
            else "No provider has findings.",
        )
    bars = []
    for provider in shown:
        row = by_provider[provider]
        records = row.get("records", 0)
        rate = f"{row['findings'] / records:.2f} per record" if records else ""
        bars.append(
            Bar(
                provider,
                [(f"seg-{PLURAL[s]}", row.get(PLURAL[s], 0)) for s in SEVERITIES],
                flagged=provider in flagged,
                note=f"{_n(records)} records, {rate}" if rate else f"{_n(records)} records",
            )
        )
    legend = _legend(
        [(f"seg-{PLURAL[s]}", "swatch", f"{MARKS[s]} {PLURAL[s]}") for s in SEVERITIES]
    )
    if flagged & set(shown):
        legend = legend.replace(
            "</ul>",
            '<li><svg class="key" width="14" height="12" aria-hidden="true"><rect '
            'class="flag-key" width="14" height="12"/></svg> ⚠ hatched: provider to look at '
            "(see the alerts)</li></ul>",
        )
    body = legend + bar_chart("svg-providers", heading, bars, "findings")
    body += _data_table(
        "Findings by provider",
        ("provider", "records", "findings", "errors", "warnings", "infos", "per record"),
        (
            (
                ("⚠ " if p in flagged else "") + p,
                by_provider[p].get("records", 0),
                by_provider[p]["findings"],
                by_provider[p].get("errors", 0),
                by_provider[p].get("warnings", 0),
                by_provider[p].get("infos", 0),
                f"{by_provider[p]['findings'] / by_provider[p]['records']:.2f}"
                if by_provider[p].get("records")
                else "–",
            )
            for p in shown
        ),
    )
    return _figure("chart-providers", heading, body)


def _month_range(first: str, last: str) -> list[str] | None:
    try:
        y0, m0 = (int(x) for x in first.split("-"))
        y1, m1 = (int(x) for x in last.split("-"))
    except ValueError:
        return None
    span = (y1 - y0) * 12 + (m1 - m0)
    if span < 0 or span > MAX_FILLED_MONTHS:
        return None
    return [f"{y0 + (m0 - 1 + i) // 12:04d}-{(m0 - 1 + i) % 12 + 1:02d}" for i in range(span + 1)]


def _month_figure(stats: dict[str, Any]) -> str:
    by_month: dict[str, dict[str, int]] = stats.get("by_month", {})
    dated = sorted(m for m in by_month if m != NO_MONTH)
    undated = by_month.get(NO_MONTH)
    note = ""
    if undated:
        note = (
            f"Not shown: {_n(undated.get('records', 0))} records without a publication date "
            f"({_n(undated.get('findings', 0))} findings)."
        )
    if not dated:
        return _figure(
            "chart-months",
            "Records and findings by publication month",
            "",
            note
            or (
                "No record has a publication date."
                if "by_month" in stats
                else "This report has no statistics by month."
            ),
        )
    months = (_month_range(dated[0], dated[-1]) or dated) if len(dated) > 1 else dated
    empty = {"records": 0, "findings": 0}
    records = [by_month.get(m, empty).get("records", 0) for m in months]
    findings = [by_month.get(m, empty).get("findings", 0) for m in months]
    title = "Records and findings by publication month"
    body = _legend(
        [("seg-records", "swatch", "records (columns)"), ("s-findings", "line", "findings (line)")]
    )
    body += time_chart(
        "svg-months",
        title,
        months,
        [Series("findings", "s-findings", findings)],
        columns=Series("records", "seg-records", records),
    )
    body += _data_table(
        title,
        ("month", "records", "findings"),
        ((m, by_month[m].get("records", 0), by_month[m].get("findings", 0)) for m in dated),
    )
    return _figure("chart-months", title, body, _e(note))


def _when(started_at: str) -> str:
    try:
        moment = datetime.fromisoformat(started_at)
    except ValueError:
        return started_at
    return moment.strftime("%Y-%m-%d %H:%M")


def _trend_figure(stats: dict[str, Any], runs: list[dict[str, Any]]) -> str:
    title = "Trend over the audit history"
    if not runs:
        return _figure(
            "chart-trend",
            title,
            "",
            "No earlier run in the history: this is the first, so there is no trend yet. "
            "The next <code>newslint report</code> with the same history file draws one.",
        )
    severity = stats.get("findings_by_severity", {})
    now = {
        "records": stats.get("records", 0),
        "findings": stats.get("findings", 0),
        "errors": severity.get("error", 0),
        "warnings": severity.get("warning", 0),
        "infos": severity.get("info", 0),
        "clean_records": stats.get("clean_records", 0),
    }
    every = [*runs, now]
    labels = [_when(str(r.get("started_at", ""))) for r in runs] + ["this run"]
    keys = ["findings", "errors", "warnings"]
    if any(r.get("infos") for r in every):
        keys.append("infos")
    body = _legend(
        [("seg-records", "swatch", "records (columns)")] + [(f"s-{k}", "line", k) for k in keys]
    )
    body += time_chart(
        "svg-trend",
        title,
        labels,
        [Series(k, f"s-{k}", [int(r.get(k, 0)) for r in every]) for k in keys],
        columns=Series("records", "seg-records", [int(r.get("records", 0)) for r in every]),
    )
    body += _data_table(
        title,
        ("run", "records", "findings", "errors", "warnings", "infos", "clean records"),
        (
            (
                label,
                *(
                    int(r.get(k, 0))
                    for k in ("records", "findings", "errors", "warnings", "infos", "clean_records")
                ),
            )
            for label, r in zip(labels, every, strict=True)
        ),
    )
    return _figure(
        "chart-trend",
        title,
        body,
        f"{len(runs)} earlier {'run' if len(runs) == 1 else 'runs'} from the history, "
        "oldest first, then this run.",
    )


# --------------------------------------------------------------------------- sections


def _delta(now: int, before: int | None, lower_is_better: bool = True) -> str:
    if before is None:
        return ""
    change = now - before
    if change == 0:
        return '<span class="delta same">±0 since the previous run</span>'
    better = (change < 0) == lower_is_better
    word = "better" if better else "worse"
    return (
        f'<span class="delta {word}">{"▼" if change < 0 else "▲"} {change:+,} since the '
        f'previous run <span class="sr-only">({word})</span></span>'
    )


def _before(previous: dict[str, Any] | None, key: str) -> int | None:
    return None if previous is None else int(previous.get(key) or 0)


def _summary(document: dict[str, Any], stats: dict[str, Any], runs: list[dict[str, Any]]) -> str:
    previous = runs[-1] if runs else None
    severity = stats.get("findings_by_severity", {})
    statuses = Counter(f.get("status") for f in document.get("files", []))
    files_note = ", ".join(
        f"{_n(statuses[s])} {label}"
        for s, label in (("findings", "with findings"), ("unreadable", "unreadable"))
        if statuses.get(s)
    )
    records = stats.get("records", 0)
    clean = stats.get("clean_records", 0)
    cards = [
        ("files", "Files", _n(stats.get("files", 0)), files_note, ""),
        (
            "records",
            "Records",
            _n(records),
            "",
            _delta(records, _before(previous, "records"), lower_is_better=False),
        ),
        (
            "findings",
            "Findings",
            _n(stats.get("findings", 0)),
            "",
            _delta(stats.get("findings", 0), _before(previous, "findings")),
        ),
    ]
    for s in SEVERITIES:
        cards.append(
            (
                f"sev-{s}",
                f'<span class="mark" aria-hidden="true">{MARKS[s]}</span> {PLURAL[s].capitalize()}',
                _n(severity.get(s, 0)),
                "",
                _delta(severity.get(s, 0), _before(previous, PLURAL[s])),
            ),
        )
    cards.append(
        (
            "clean",
            "Records clean",
            f"{stats.get('clean_share', 0):.1%}",
            f"{_n(clean)} of {_n(records)} records have no finding",
            _delta(clean, _before(previous, "clean_records"), lower_is_better=False),
        ),
    )
    cards.append(
        (
            "runs",
            "Runs in history",
            _n(len(runs) + 1),
            f"this run and {_n(len(runs))} earlier" if runs else "the first run: no earlier one",
            "",
        ),
    )
    out = ['<dl class="cards">']
    for css, label, value, note, delta in cards:
        out.append(
            f'<div class="card card-{css}"><dt>{label}</dt><dd class="value">{value}</dd>'
            + (f'<dd class="sub">{_e(note)}</dd>' if note else "")
            + (f'<dd class="sub">{delta}</dd>' if delta else "")
            + "</div>"
        )
    out.append("</dl>")
    return "".join(out)


def _alerts(alerts: list[dict[str, Any]]) -> str:
    if not alerts:
        return ""
    items = []
    for alert in alerts:
        rate, usual = float(alert.get("rate", 0)), float(alert.get("usual", 0))
        factor = f" (×{rate / usual:.1f})" if usual else ""
        items.append(
            f"<li><strong>{_e(alert.get('provider', ''))}</strong>: {rate:.2f} findings per "
            f"record, up from a usual {usual:.2f}{factor}</li>"
        )
    return (
        '<section class="alerts" id="alerts" aria-labelledby="alerts-h">'
        '<h2 id="alerts-h"><span aria-hidden="true">⚠</span> Providers to look at</h2>'
        "<p>Their findings per record jumped above their usual rate in the earlier runs. "
        "They are hatched and marked ⚠ in the provider chart.</p>"
        f"<ul>{''.join(items)}</ul></section>"
    )


@dataclass
class _Table:
    data: dict[str, Any]
    first_page: str
    rule_counts: dict[str, Counter[str]]


def _table_data(findings: list[dict[str, Any]], anchors: dict[str, str]) -> _Table:
    severity_index = {s: i for i, s in enumerate(SEVERITIES)}
    rules: dict[str, int] = {}
    codes: list[str] = []
    paths: dict[str, int] = {}
    messages: dict[str, int] = {}
    pointers: dict[str, int] = {"": 0}
    rows: list[list[Any]] = []
    append = rows.append
    for f in findings:  # the hot loop of a large report: kept plain
        rule = f["rule"]
        r = rules.get(rule)
        if r is None:
            r = rules[rule] = len(rules)
            codes.append(f.get("code", ""))
        path = f["path"]
        p = paths.get(path)
        if p is None:
            p = paths[path] = len(paths)
        message = f["message"]
        m = messages.get(message)
        if m is None:
            m = messages[message] = len(messages)
        pointer = f.get("pointer") or ""
        t = pointers.get(pointer)
        if t is None:
            t = pointers[pointer] = len(pointers)
        append([severity_index.get(f["severity"], 0), r, p, f.get("line"), f.get("column"), m, t])
    prefix = common_directory(paths)
    cut = len(prefix)
    rule_names = list(rules)
    rule_counts: dict[str, Counter[str]] = {rule: Counter() for rule in rule_names}
    for (r, s), n in Counter((row[1], row[0]) for row in rows).items():
        rule_counts[rule_names[r]][SEVERITIES[s]] = n
    data = {
        "severities": list(SEVERITIES),
        "marks": [MARKS[s] for s in SEVERITIES],
        "rules": rule_names,
        "codes": codes,
        "anchors": [anchors.get(rule, "") for rule in rule_names],
        "paths": [path[cut:] if path.startswith(prefix) else path for path in paths],
        "prefix": prefix,
        "messages": list(messages),
        "pointers": list(pointers),
        "rows": rows,
        "page_size": PAGE_SIZE,
    }
    return _Table(data, _first_page(data), rule_counts)


def _first_page(data: dict[str, Any]) -> str:
    """The first page of rows, for a reader without JavaScript (the script redraws it)."""
    out = []
    for s, r, p, line, column, m, t in data["rows"][:PAGE_SIZE]:
        severity, rule, path = data["severities"][s], data["rules"][r], data["paths"][p]
        pointer = data["pointers"][t]
        where = f"{path}:{line}" if line is not None else path
        out.append(
            f'<tr class="sev-{severity}"><td><span class="sev sev-{severity}">'
            f'<span aria-hidden="true">{MARKS[severity]}</span> {severity}</span></td>'
            f'<td><a href="#{_e(data["anchors"][r])}">{_e(rule)}</a> '
            f'<span class="code">{_e(data["codes"][r])}</span></td>'
            f'<td class="loc" title="{_e(data["prefix"] + path)}, line {line}, column {column}">'
            f"{_e(where)}</td><td>{_e(data['messages'][m])}"
            + (f' <code class="ptr">{_e(pointer)}</code>' if pointer else "")
            + "</td></tr>"
        )
    if not out:
        out.append(
            '<tr class="empty"><td colspan="4">No findings: every record is clean.</td></tr>'
        )
    return "".join(out)


def _findings_section(table: _Table) -> str:
    data = table.data
    total = len(data["rows"])
    severity_counts = Counter(SEVERITIES[row[0]] for row in data["rows"])
    severity_options = "".join(
        f'<option value="{s}">{MARKS[s]} {s} ({_n(severity_counts.get(s, 0))})</option>'
        for s in SEVERITIES
    )
    rule_options = "".join(
        f'<option value="{_e(rule)}">{_e(rule)} ({_n(sum(table.rule_counts[rule].values()))})'
        "</option>"
        for rule in sorted(data["rules"])
    )
    pages = max(1, math.ceil(total / PAGE_SIZE))
    shown = min(total, PAGE_SIZE)
    status = (
        f"Showing {1 if total else 0}–{shown} of {_n(total)} findings" if total else "No findings"
    )
    prefix_note = (
        f'<p class="note">File paths are relative to <code>{_e(data["prefix"])}</code>.</p>'
        if data["prefix"]
        else ""
    )
    columns = (
        ("severity", "Severity"),
        ("rule", "Rule"),
        ("location", "File:line"),
        ("message", "Message"),
    )
    head = "".join(
        f'<th scope="col" aria-sort="none" data-col="{key}"><button type="button" '
        f'class="sort" data-sort="{key}">{label}<span class="sort-mark" aria-hidden="true">'
        "</span></button></th>"
        for key, label in columns
    )

    def pager(where: str) -> str:
        return (
            f'<nav class="pager" id="pager-{where}" aria-label="Findings pages ({where})" hidden>'
            '<button type="button" data-page="first">« First</button>'
            '<button type="button" data-page="prev">‹ Previous</button>'
            f'<span class="page-of">Page 1 of {_n(pages)}</span>'
            '<button type="button" data-page="next">Next ›</button>'
            '<button type="button" data-page="last">Last »</button></nav>'
        )

    return (
        '<section id="findings" aria-labelledby="findings-h">'
        '<h2 id="findings-h">Findings</h2>'
        '<form class="filters" id="filters" role="search" hidden onsubmit="return false">'
        '<div class="field grow"><label for="f-q">Search</label>'
        '<input type="search" id="f-q" name="q" autocomplete="off" '
        'placeholder="rule, code, file or message — words must all match"></div>'
        '<div class="field"><label for="f-severity">Severity</label>'
        f'<select id="f-severity" name="severity"><option value="">all</option>'
        f"{severity_options}</select></div>"
        '<div class="field"><label for="f-rule">Rule</label>'
        f'<select id="f-rule" name="rule"><option value="">all</option>{rule_options}'
        "</select></div>"
        '<div class="field"><button type="reset" id="f-reset">Clear filters</button></div>'
        "</form>"
        '<noscript><p class="note">JavaScript is off: the table shows the first '
        f"{PAGE_SIZE} findings in file order; the filters, sorting and the other pages "
        "need JavaScript.</p></noscript>"
        f"{prefix_note}"
        f'<p class="status" id="table-status" aria-live="polite">{status}</p>'
        f"{pager('top')}"
        '<div class="table-wrap"><table class="findings" id="findings-table">'
        f'<caption class="sr-only">Findings, {PAGE_SIZE} rows a page</caption>'
        f"<thead><tr>{head}</tr></thead>"
        f'<tbody id="findings-body">{table.first_page}</tbody></table></div>'
        f"{pager('bottom')}"
        f'<script type="application/json" id="findings-data">{script_json(data)}</script>'
        "</section>"
    )


def _rules_section(
    stats: dict[str, Any],
    cards: dict[str, str],
    anchors: dict[str, str],
    rule_counts: dict[str, Counter[str]],
) -> str:
    by_rule: dict[str, int] = dict(stats.get("findings_by_rule") or {})
    for rule, counts in rule_counts.items():
        by_rule.setdefault(rule, sum(counts.values()))
    ordered = sorted((r for r, n in by_rule.items() if n), key=lambda r: (-by_rule[r], r))
    out = [
        '<section id="rules" aria-labelledby="rules-h"><h2 id="rules-h">Rule cards</h2>',
        "<p>What each rule with findings checks, why it matters and how to fix it, "
        "most findings first.</p>",
    ]
    if not ordered:
        out.append('<p class="note">No rule has findings.</p>')
    else:
        out.append('<ul class="rule-index">')
        out += [
            f'<li><a href="#{_e(anchors[r])}">{_e(r)}</a> <span class="count">'
            f"{_n(by_rule[r])}</span></li>"
            for r in ordered
        ]
        out.append("</ul>")
    for rule in ordered:
        anchor = anchors[rule]
        counts = rule_counts.get(rule, Counter())
        chips = " ".join(
            f'<span class="sev sev-{s}"><span aria-hidden="true">{MARKS[s]}</span> '
            f"{_n(counts[s])} {PLURAL[s] if counts[s] != 1 else s}</span>"
            for s in SEVERITIES
            if counts.get(s)
        )
        card = cards.get(rule)
        card_html = (
            f"<pre>{_e(card.rstrip())}</pre>"
            if card
            else '<p class="note">No documentation card: the rule is not in this '
            "installation's registry.</p>"
        )
        out.append(
            f'<section class="rule-card" id="{_e(anchor)}" aria-labelledby="{_e(anchor)}-h">'
            f'<h3 id="{_e(anchor)}-h"><code>{_e(rule)}</code></h3>'
            f'<p class="rule-meta">{chips} <a class="show" href="#rule='
            f'{_e(quote(rule, safe=""))}">Show its {_n(by_rule[rule])} '
            f"{'finding' if by_rule[rule] == 1 else 'findings'} in the table</a> "
            '<a class="top" href="#top">Back to top</a></p>'
            f"{card_html}</section>"
        )
    out.append("</section>")
    return "".join(out)


# --------------------------------------------------------------------------- the page


def render_html(
    document: dict[str, Any], cards: dict[str, str], *, generated_at: datetime | None = None
) -> str:
    """The audit report ``document`` (AuditRun.report()) as one self-contained HTML page."""
    stats: dict[str, Any] = document.get("stats") or {}
    history: dict[str, Any] = document.get("history") or {}
    runs: list[dict[str, Any]] = list(history.get("runs") or [])
    alerts: list[dict[str, Any]] = list(history.get("alerts") or [])
    findings: list[dict[str, Any]] = list(document.get("findings") or [])
    if not stats:  # a plain JSON report: what the charts need that can be had from it
        summary = document.get("summary", {})
        stats = {
            "files": summary.get("files", 0),
            "records": summary.get("records", 0),
            "findings": len(findings),
            "findings_by_severity": summary.get("by_severity", {}),
            "findings_by_rule": summary.get("by_rule", {}),
            "findings_by_family": dict(Counter(f["rule"].split("/")[0] for f in findings)),
        }
    anchors = rule_anchors([*(f["rule"] for f in findings), *stats.get("findings_by_rule", {})])
    table = _table_data(findings, anchors)
    tool = document.get("tool", {})
    version = tool.get("version", "")
    moment = (generated_at or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M %Z").strip()
    total = stats.get("findings", len(findings))
    records = stats.get("records", 0)
    title = f"newslint audit: {_n(total)} findings in {_n(records)} records"
    charts = "".join(
        (
            _family_figure(stats),
            _provider_figure(stats, alerts),
            _month_figure(stats),
            _trend_figure(stats, runs),
        )
    )
    nav = (
        '<nav class="toc" aria-label="Sections"><a href="#summary">Summary</a>'
        + ('<a href="#alerts">⚠ Alerts</a>' if alerts else "")
        + '<a href="#charts">Charts</a><a href="#findings">Findings</a>'
        '<a href="#rules">Rule cards</a></nav>'
    )
    return _writable(
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="newslint">'
        # No network: nothing may be loaded from elsewhere, whatever the data holds.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'\">"
        f"<title>{_e(title)}</title>"
        f"<style>{_asset('report.css')}</style></head>"
        '<body id="top">'
        '<a class="skip" href="#findings">Skip to the findings</a>'
        '<header class="page-head">'
        f"<h1>newslint audit report</h1>"
        f'<p class="meta">newslint {_e(version)} · generated {_e(moment)} · '
        f"{_n(stats.get('files', 0))} files, {_n(records)} records, {_n(total)} findings</p>"
        f"{nav}</header><main>"
        f'<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>'
        f"{_summary(document, stats, runs)}</section>"
        f"{_alerts(alerts)}"
        f'<section id="charts" aria-labelledby="charts-h"><h2 id="charts-h">Charts</h2>'
        f'<div class="chart-grid">{charts}</div></section>'
        f"{_findings_section(table)}"
        f"{_rules_section(stats, cards, anchors, table.rule_counts)}"
        "</main>"
        "<footer><p>Made by newslint. This page is self-contained: it loads nothing from "
        "the network and works offline.</p></footer>"
        f"<script>{_asset('report.js')}</script>"
        "</body></html>\n"
    )


def _writable(page: str) -> str:
    """The page as text UTF-8 can hold: a lone surrogate from the data becomes its escape,
    shown as text in the markup and read back as the same character from the JSON blob."""
    try:
        page.encode("utf-8")
    except UnicodeEncodeError:
        return page.encode("utf-8", "backslashreplace").decode("utf-8")
    return page

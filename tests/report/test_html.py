"""The HTML audit report: a self-contained page whose charts, table, filters and pages work.

The pure-Python tests read the page as text. The slow ones load it in a real headless
Chromium and read the DOM it dumps after the page's script ran (or look at a screenshot).
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import time
from collections import Counter
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.helpers import fields, markdown
from validator.app import CheckOptions
from validator.audit import audit
from validator.report.html import (
    PAGE_SIZE,
    TOP_PROVIDERS,
    common_directory,
    nice_ticks,
    render_html,
    rule_anchors,
    script_json,
)

HOSTILE = "</script><img src=x onerror=alert(1)>"
HOSTILE_FILE = "<img src=x onerror=alert(2)>.md"
WHEN = datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc)


# --------------------------------------------------------------------------- a tiny DOM


VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and all(
                    (k == "class_" and v in child.attrs.get("class", "").split())
                    or child.attrs.get(k) == v
                    for k, v in attrs.items()
                ):
                    found.append(child)
                found += child.iter(tag, **attrs)
        return found

    def by_id(self, ident: str) -> Node:
        (node,) = self.iter(id=ident)
        return node


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(page: str) -> Node:
    builder = _Builder()
    builder.feed(page)
    builder.close()
    return builder.root


def table_rows(dom: Node) -> list[list[str]]:
    return [
        [" ".join(td.text().split()) for td in tr.iter("td")]
        for tr in dom.by_id("findings-body").iter("tr")
    ]


# --------------------------------------------------------------------------- documents


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, str]]:
    """A real audit of a small corpus, run twice so that the history holds an earlier run."""
    root = tmp_path_factory.mktemp("audit")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "newslint.toml").write_text("", encoding="utf-8")
    files = {
        "clean.md": markdown(),
        "empty-body.md": markdown(body="\n"),
        "short.md": markdown(fields(publishedDateTime="2021-03-01T00:00:00Z"), body="Short.\n"),
        "other.md": markdown(
            fields(
                title="Another story",
                webUrl="https://news.example.org/a",
                originalUrl="https://news.example.org/a",
                provider={"name": "Example", "domain": "elsewhere.org"},
                publishedDateTime="2021-05-04T00:00:00Z",
            )
        ),
        "nested/late.md": markdown(
            fields(
                title="Late story",
                publishedDateTime="2021-07-01T00:00:00Z",
                webUrl="https://www.hrw.org/late",
                originalUrl="https://www.hrw.org/late",
            ),
            body="\n",
        ),
        HOSTILE_FILE: markdown(fields(title="Hostile"), body="Tiny body.\n"),
    }
    for name, text in files.items():
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        (corpus / name).write_text(text, encoding="utf-8")
    options = CheckOptions(paths=[corpus], use_cache=False)
    audit(options, history_path=root / "h.sqlite")
    run = audit(options, history_path=root / "h.sqlite")
    cards = {slug: rule.card() for slug, rule in run.run.registry.rules.items()}
    return run.report(), cards


def fake_document(
    count: int, *, message: str = "a message", history: int = 0, alerts: bool = False
) -> dict[str, Any]:
    """A report document of ``count`` findings, shaped like AuditRun.report() builds it."""
    severities = ("error", "warning", "info")
    rules = [f"fam{i % 7}/rule-{i}" for i in range(40)]
    findings = []
    for i in range(count):
        rule = rules[i % len(rules)]
        findings.append(
            {
                "rule": rule,
                "code": f"FK{rules.index(rule):03d}",
                "severity": severities[i % 3],
                "message": f"{message} {i}",
                "path": f"/data/news/{i // 50:05d}.md",
                "line": i % 50 + 1,
                "column": 1,
                "end_line": None,
                "pointer": f"/images/{i % 4}" if i % 5 else "",
                "record": 0,
            }
        )
    files = sorted({f["path"] for f in findings}) or ["/data/news/00000.md"]
    providers = {
        f"p{i}.example": {"records": 10 + i, "findings": 0, "errors": 0, "warnings": 0, "infos": 0}
        for i in range(30)
    }
    by_month: dict[str, dict[str, int]] = {}
    for i, f in enumerate(findings):
        row = providers[f"p{i % 30}.example"]
        row["findings"] += 1
        row[{"error": "errors", "warning": "warnings", "info": "infos"}[f["severity"]]] += 1
        month = f"20{20 + i % 3}-{i % 12 + 1:02d}"
        by_month.setdefault(month, {"records": 0, "findings": 0})["findings"] += 1
    for month in by_month:
        by_month[month]["records"] = 5
    severity_counts = Counter(f["severity"] for f in findings)
    by_severity = {s: severity_counts.get(s, 0) for s in severities}
    by_rule = dict(sorted(Counter(f["rule"] for f in findings).items()))
    records = sum(p["records"] for p in providers.values())
    return {
        "tool": {"name": "newslint", "version": "0.0.0"},
        "summary": {
            "files": len(files),
            "records": records,
            "findings": count,
            "by_severity": by_severity,
            "by_rule": by_rule,
            "exit_code": 1,
        },
        "files": [{"path": p, "records": 1, "status": "findings"} for p in files],
        "findings": findings,
        "stats": {
            "files": len(files),
            "records": records,
            "findings": count,
            "clean_records": 100,
            "clean_share": round(100 / records, 4),
            "by_provider": providers,
            "records_by_type": {"article": records},
            "by_month": dict(sorted(by_month.items())),
            "findings_by_severity": by_severity,
            "findings_by_family": dict(
                sorted(Counter(f["rule"].split("/")[0] for f in findings).items())
            ),
            "findings_by_rule": by_rule,
            "top_providers": [],
        },
        "history": {
            "runs": [
                {
                    "started_at": f"2025-12-{d + 1:02d}T10:00:00+00:00",
                    "records": records,
                    "findings": count + 10 * (history - d),
                    "errors": 5,
                    "warnings": 3,
                    "infos": 0,
                    "clean_records": 90,
                }
                for d in range(history)
            ],
            "alerts": [{"provider": "p3.example", "rate": 4.5, "usual": 1.5}] if alerts else [],
        },
    }


def haystack(finding: dict[str, Any], prefix: str) -> str:
    """The text the page's search looks in (see html_assets/report.js)."""
    path = finding["path"][len(prefix) :]
    return (
        f"{finding['severity']} {finding['rule']} {finding['code']} {path}:{finding['line']} "
        f"{finding['message']} {finding['pointer']}"
    ).lower()


def row_of(finding: dict[str, Any], prefix: str) -> list[str]:
    pointer = f" {finding['pointer']}" if finding["pointer"] else ""
    return [
        f"{_mark(finding['severity'])} {finding['severity']}",
        f"{finding['rule']} {finding['code']}",
        f"{finding['path'][len(prefix) :]}:{finding['line']}",
        f"{finding['message']}{pointer}",
    ]


def _mark(severity: str) -> str:
    return {"error": "✖", "warning": "▲", "info": "●"}[severity]


# --------------------------------------------------------------------------- pure Python


def test_page_structure(audited: tuple[dict[str, Any], dict[str, str]]) -> None:
    document, cards = audited
    page = render_html(document, cards, generated_at=WHEN)
    dom = parse(page)
    assert page.startswith("<!DOCTYPE html>")
    (html_node,) = dom.iter("html")
    assert html_node.attrs["lang"] == "en"
    # Summary cards.
    summary = " ".join(dom.by_id("summary").text().split())
    stats = document["stats"]
    for text in (
        "Files",
        "Records",
        "Findings",
        "Errors",
        "Warnings",
        "Infos",
        "Records clean",
        "Runs in history",
    ):
        assert text in summary
    assert f"{stats['clean_share']:.1%}" in summary
    assert "this run and 1 earlier" in summary
    # Charts: one bar per family, one per provider with findings (top 15), points per month.
    families = dom.by_id("svg-families").iter("g", class_="bar-row")
    assert [(g.attrs["data-label"], int(g.attrs["data-value"])) for g in families] == sorted(
        stats["findings_by_family"].items(), key=lambda kv: (-kv[1], kv[0])
    )
    with_findings = [p for p, row in stats["by_provider"].items() if row["findings"]]
    providers = dom.by_id("svg-providers").iter("g", class_="bar-row")
    assert len(providers) == min(len(with_findings), TOP_PROVIDERS) > 0
    dated = [m for m in stats["by_month"] if m != "(none)"]
    (month_line,) = dom.by_id("svg-months").iter("path", class_="line")
    assert int(month_line.attrs["data-points"]) >= len(dated) > 1
    trend_lines = dom.by_id("svg-trend").iter("path", class_="line")
    assert trend_lines and all(p.attrs["data-points"] == "2" for p in trend_lines)
    # The table: labelled filters, column headers, the first page server-side.
    for ident in ("f-q", "f-severity", "f-rule"):
        assert dom.iter("label", **{"for": ident})
    headers = [th.text().strip() for th in dom.by_id("findings-table").iter("th")]
    assert headers == ["Severity", "Rule", "File:line", "Message"]
    assert all(th.attrs["scope"] == "col" for th in dom.by_id("findings-table").iter("th"))
    assert len(table_rows(dom)) == min(len(document["findings"]), PAGE_SIZE)
    rule_options = [o.attrs["value"] for o in dom.by_id("f-rule").iter("option")][1:]
    assert rule_options == sorted(stats["findings_by_rule"])
    # The findings blob: all of them, as JSON.
    data = json.loads(dom.by_id("findings-data").text())
    assert dom.by_id("findings-data").attrs["type"] == "application/json"
    assert len(data["rows"]) == len(document["findings"])
    # A rule card for every rule with findings, linked from the table.
    anchors = rule_anchors(stats["findings_by_rule"])
    for rule in stats["findings_by_rule"]:
        section = dom.by_id(anchors[rule])
        assert section.tag == "section"
        assert anchors[rule] == "rule-" + rule.replace("/", "-")
        (pre,) = section.iter("pre")
        assert pre.text().startswith(f"# {rule} (")
    links = {a.attrs["href"] for a in dom.by_id("findings-body").iter("a")}
    assert links <= {"#" + anchor for anchor in anchors.values()}


def test_hostile_text_is_escaped_everywhere() -> None:
    document = fake_document(3, message=HOSTILE, alerts=True)
    document["findings"][0]["path"] = "/data/" + HOSTILE_FILE
    document["stats"]["by_provider"][HOSTILE] = {
        "records": 1,
        "findings": 999,
        "errors": 999,
        "warnings": 0,
        "infos": 0,
    }
    document["history"]["alerts"].append({"provider": HOSTILE, "rate": 2.0, "usual": 1.0})
    cards = {document["findings"][0]["rule"]: f"# card\n{HOSTILE}\n"}
    page = render_html(document, cards, generated_at=WHEN)
    assert HOSTILE not in page
    assert "<img" not in page
    # Only the two script elements of the page itself, the data blob and the code, close.
    assert page.count("</script>") == 2
    dom = parse(page)
    assert not dom.iter("img")
    assert [s.attrs.get("type") for s in dom.iter("script")] == ["application/json", None]
    data = json.loads(dom.by_id("findings-data").text())
    assert data["messages"][0] == f"{HOSTILE} 0"
    assert HOSTILE in dom.by_id("alerts").text()
    assert HOSTILE in dom.by_id("findings-body").text()
    # The script never writes data as markup.
    code = dom.iter("script")[1].text()
    assert "innerHTML" not in code and "insertAdjacentHTML" not in code
    assert "document.write" not in code


def test_script_json_cannot_close_its_element() -> None:
    value = {"m": HOSTILE + "<!-- <script> & \u2028", "n": [1, None]}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == value


def test_no_external_resources(audited: tuple[dict[str, Any], dict[str, str]]) -> None:
    document, cards = audited
    page = render_html(document, cards, generated_at=WHEN)
    # Data (the findings blob, card text) may quote URLs as text; nothing else may.
    markup = re.sub(r'<script type="application/json"[^>]*>.*?</script>', "", page, flags=re.S)
    markup = re.sub(r"<pre>.*?</pre>", "", markup, flags=re.S)
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", markup, flags=re.I), re.findall(
        r".{40}https?://.{40}", markup
    )
    dom = parse(page)
    assert not [n for n in dom.iter() if "src" in n.attrs]
    assert not dom.iter("link") and not dom.iter("iframe") and not dom.iter("img")
    assert all(a.attrs["href"].startswith("#") for a in dom.iter("a"))
    assert "@import" not in page and "url(http" not in page
    (csp,) = dom.iter("meta", **{"http-equiv": "Content-Security-Policy"})
    assert "default-src 'none'" in csp.attrs["content"]


def test_first_run_has_a_note_instead_of_a_trend() -> None:
    page = render_html(fake_document(10), {}, generated_at=WHEN)
    dom = parse(page)
    trend = dom.by_id("chart-trend")
    assert "No earlier run in the history" in trend.text()
    assert not trend.iter("svg")
    assert "the first run" in dom.by_id("summary").text()


def test_alerts_are_highlighted() -> None:
    page = render_html(fake_document(300, history=3, alerts=True), {}, generated_at=WHEN)
    dom = parse(page)
    alerts = dom.by_id("alerts")
    assert "p3.example" in alerts.text() and "4.50 findings per record" in alerts.text()
    flagged = dom.by_id("svg-providers").iter("g", class_="flagged")
    assert [g.attrs["data-label"] for g in flagged] == ["p3.example"]
    assert "⚠" in flagged[0].text()
    assert dom.by_id("svg-trend").iter("path")[0].attrs["data-points"] == "4"


def test_no_findings() -> None:
    page = render_html(fake_document(0), {}, generated_at=WHEN)
    dom = parse(page)
    assert "No findings: every record is clean." in dom.by_id("findings-body").text()
    assert "No rule has findings." in dom.by_id("rules").text()


def test_helpers() -> None:
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(9330) == [0, 2000, 4000, 6000, 8000, 10000]
    assert nice_ticks(12_000)[-1] >= 12_000
    assert common_directory(["/a/b/c.md", "/a/b/d/e.md"]) == "/a/b/"
    assert common_directory(["c.md", "d.md"]) == ""
    assert common_directory(["/a/c.md", "b/d.md"]) == ""
    assert rule_anchors(["body/missing", "a-b/c", "a/b-c"]) == {
        "a-b/c": "rule-a-b-c",
        "a/b-c": "rule-a-b-c-2",
        "body/missing": "rule-body-missing",
    }


def test_render_of_100k_findings_is_quick() -> None:
    document = fake_document(100_000)
    start = time.perf_counter()
    page = render_html(document, {}, generated_at=WHEN)
    elapsed = time.perf_counter() - start
    assert elapsed < 10, f"render_html took {elapsed:.1f}s for 100k findings"
    dom_rows = page.count('<tr class="sev-')
    assert dom_rows == PAGE_SIZE  # one page of rows in the markup; the rest is data
    assert len(page) < 12_000_000


# --------------------------------------------------------------------------- a real browser


def chromium_binary() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found is None:
        pytest.skip("no headless browser: install Debian's chromium (apt-get install chromium)")
    return found


def run_chromium(tmp_path: Path, page: Path, fragment: str = "", *extra: str) -> str:
    binary = chromium_binary()
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
        *extra,
        page.as_uri() + fragment,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dump_dom(tmp_path: Path, page: Path, fragment: str = "") -> Node:
    out = run_chromium(tmp_path, page, fragment, "--dump-dom")
    assert "data-table-ready" in out, "the page's script did not run"
    return parse(out)


@pytest.mark.slow
def test_browser_charts_table_and_fragment_filter(
    tmp_path: Path, audited: tuple[dict[str, Any], dict[str, str]]
) -> None:
    document, cards = audited
    page = tmp_path / "report.html"
    page.write_text(render_html(document, cards, generated_at=WHEN), encoding="utf-8")
    findings = document["findings"]
    prefix = common_directory(f["path"] for f in findings)

    dom = dump_dom(tmp_path, page)
    # The charts are in the page and drawn as the data says.
    stats = document["stats"]
    bars = dom.by_id("svg-families").iter("rect", class_="bar")
    assert sum(int(b.attrs["data-value"]) for b in bars) == stats["findings"]
    assert len(bars) == len(stats["findings_by_family"])
    provider_rows = dom.by_id("svg-providers").iter("g", class_="bar-row")
    assert {g.attrs["data-label"]: int(g.attrs["data-value"]) for g in provider_rows} == {
        p: row["findings"] for p, row in stats["by_provider"].items() if row["findings"]
    }
    (line,) = dom.by_id("svg-months").iter("path", class_="line")
    assert re.fullmatch(r"M[\d., L]+", line.attrs["d"])
    assert len(dom.by_id("svg-trend").iter("circle")) == 2 * len(
        dom.by_id("svg-trend").iter("path", class_="line")
    )
    # Every finding in one page, in file order; the hostile file name stayed text.
    rows = table_rows(dom)
    assert len(rows) == len(findings) <= PAGE_SIZE
    assert rows == [row_of(f, prefix) for f in findings]
    assert not dom.iter("img")
    assert any(HOSTILE_FILE in r[2] for r in rows)
    assert " ".join(dom.by_id("pager-top").text().split()).count("Page 1 of 1") == 1
    assert (
        dom.by_id("table-status").text() == f"Showing 1–{len(findings)} of {len(findings)} findings"
    )

    # The fragment presets the filters: the search words and the severity.
    dom = dump_dom(tmp_path, page, "#q=" + quote("body md") + "&severity=error")
    expected = [
        row_of(f, prefix)
        for f in findings
        if f["severity"] == "error" and all(w in haystack(f, prefix) for w in ("body", "md"))
    ]
    assert 0 < len(expected) < len(findings)
    assert table_rows(dom) == expected
    status = dom.by_id("table-status").text()
    assert status == (
        f"Showing 1–{len(expected)} of {len(expected)} findings matching the filters "
        f"({len(findings)} in all)"
    )
    # By rule, as the rule cards link it.
    rule = "body/missing"
    dom = dump_dom(tmp_path, page, "#rule=" + quote(rule, safe=""))
    assert table_rows(dom) == [row_of(f, prefix) for f in findings if f["rule"] == rule]


@pytest.mark.slow
def test_browser_pages_and_sorts(tmp_path: Path) -> None:
    document = fake_document(250)
    page = tmp_path / "report.html"
    page.write_text(render_html(document, {}, generated_at=WHEN), encoding="utf-8")
    findings = document["findings"]
    prefix = common_directory(f["path"] for f in findings)

    dom = dump_dom(tmp_path, page)
    assert len(table_rows(dom)) == PAGE_SIZE
    assert "Page 1 of 3" in dom.by_id("pager-bottom").text()
    assert dom.by_id("table-status").text() == "Showing 1–100 of 250 findings"

    dom = dump_dom(tmp_path, page, "#page=3&sort=-location")
    ordered = sorted(findings, key=lambda f: (f["path"], f["line"]), reverse=True)
    assert table_rows(dom) == [row_of(f, prefix) for f in ordered[200:]]
    assert "Page 3 of 3" in dom.by_id("pager-top").text()
    assert dom.by_id("table-status").text() == "Showing 201–250 of 250 findings"
    (sorted_header,) = [
        th for th in dom.by_id("findings-table").iter("th") if th.attrs.get("aria-sort") != "none"
    ]
    assert sorted_header.attrs["data-col"] == "location"
    assert sorted_header.attrs["aria-sort"] == "descending"

    dom = dump_dom(tmp_path, page, "#q=nothing-matches-this")
    assert table_rows(dom) == [["No findings match these filters."]]
    assert "Page 1 of 1" in dom.by_id("pager-top").text()


@pytest.mark.slow
def test_browser_screenshot(tmp_path: Path, audited: tuple[dict[str, Any], dict[str, str]]) -> None:
    document, cards = audited
    page = tmp_path / "report.html"
    page.write_text(render_html(document, cards, generated_at=WHEN), encoding="utf-8")
    shot = tmp_path / "report.png"
    run_chromium(tmp_path, page, "", f"--screenshot={shot}", "--window-size=1280,2000")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 50_000  # a blank page of that size compresses to a few kilobytes

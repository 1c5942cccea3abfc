"""meta/: unparseable and future dates, mojibake and control characters in text fields and
body lines."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.helpers import VALID_BODY, check_files, fields, findings_of, markdown


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_now(**delta: float) -> str:
    return iso(datetime.now(timezone.utc) + timedelta(**delta))


def related_item(**overrides):
    item = {"title": "Related story", "webUrl": "https://www.hrw.org/b"}
    item.update(overrides)
    return item


# --- meta/unparseable-date ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("02/10/2020 4:30", "'02/10/2020 4:30'"),
        ("yesterday", "'yesterday'"),
        ("2020-13-02T04:30:00Z", "'2020-13-02T04:30:00Z'"),
        ("2020-10-02T25:30:00Z", "'2020-10-02T25:30:00Z'"),
        ("Fri, 02 Oct 2020 04:30:00 GMT", "'Fri, 02 Oct 2020 04:30:00 GMT'"),
        ("", "''"),
        (20201002, "'int'"),
        ("x" * 50, "'str'"),  # long values are not quoted
    ],
)
def test_unparseable_date_fires(tmp_path, value, shown):
    text = markdown(fields(publishedDateTime=value))
    run = check_files(tmp_path, {"a.md": text}, select=["meta/unparseable-date"])
    (finding,) = findings_of(run, "meta/unparseable-date")
    assert finding.pointer == "/publishedDateTime"
    assert finding.line == line_of(text, "publishedDateTime:")
    assert finding.message == f"date-time {shown} cannot be parsed as ISO 8601"


@pytest.mark.parametrize(
    "value",
    [
        "2020-10-02T04:30:00Z",
        "2020-10-02T04:30:00.123456Z",
        "2020-10-02T04:30:00+05:30",
        "2020-10-02T04:30:00-07:00",
        "2020-10-02T04:30:00",
        "2020-10-02",
    ],
)
def test_unparseable_date_passes(tmp_path, value):
    run = check_files(
        tmp_path,
        {"a.md": markdown(fields(publishedDateTime=value))},
        select=["meta/unparseable-date"],
    )
    assert findings_of(run, "meta/unparseable-date") == []


def test_unparseable_date_unquoted_yaml_timestamp_passes(tmp_path):
    # YAML would read this as a timestamp; newslint keeps it as the text it is.
    text = markdown().replace(
        "publishedDateTime: '2020-10-02T04:30:00Z'", "publishedDateTime: 2020-10-02T04:30:00Z"
    )
    assert "publishedDateTime: 2020-10-02T04:30:00Z\n" in text
    run = check_files(tmp_path, {"a.md": text}, select=["meta"])
    assert run.result.findings == []


def test_unparseable_date_in_related(tmp_path):
    text = markdown(
        fields(
            related=[
                related_item(publishedDateTime="2020-10-02T07:41:00Z"),
                related_item(publishedDateTime="last week"),
            ]
        )
    )
    run = check_files(tmp_path, {"a.md": text}, select=["meta/unparseable-date"])
    (finding,) = findings_of(run, "meta/unparseable-date")
    assert finding.pointer == "/related/1/publishedDateTime"
    assert finding.line == line_of(text, "last week")


# --- meta/future-date --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "config", "fires"),
    [
        ("2202-10-02T04:30:00Z", "", True),
        ("9999-12-31T23:59:59Z", "", True),
        (from_now(hours=30), "", True),
        (from_now(hours=1), "", False),
        (from_now(hours=23), "", False),
        ("2020-10-02T04:30:00Z", "", False),
        (from_now(hours=1), '[rules."meta/future-date"]\ntolerance-hours = 0\n', True),
        (from_now(hours=30), '[rules."meta/future-date"]\ntolerance-hours = 48\n', False),
        ("2202-10-02T04:30:00Z", '[rules."meta/future-date"]\ntolerance-hours = 2000000\n', False),
        ("not a date", "", False),  # meta/unparseable-date's business
    ],
)
def test_future_date(tmp_path, value, config, fires):
    text = markdown(fields(publishedDateTime=value))
    run = check_files(tmp_path, {"a.md": text}, select=["meta/future-date"], config=config)
    found = findings_of(run, "meta/future-date")
    if not fires:
        assert found == []
        return
    (finding,) = found
    assert finding.pointer == "/publishedDateTime"
    assert finding.line == line_of(text, "publishedDateTime:")
    assert finding.message == f"date-time {value} is in the future"


def test_future_date_time_zone_is_honoured(tmp_path):
    # 20 hours ahead in UTC but written at UTC-10: really 30 hours ahead.
    ahead = (datetime.now(timezone.utc) + timedelta(hours=30)).astimezone(
        timezone(timedelta(hours=-10))
    )
    value = ahead.strftime("%Y-%m-%dT%H:%M:%S-10:00")
    run = check_files(
        tmp_path, {"a.md": markdown(fields(publishedDateTime=value))}, select=["meta/future-date"]
    )
    assert [f.pointer for f in findings_of(run, "meta/future-date")] == ["/publishedDateTime"]


def test_future_date_in_related(tmp_path):
    items = [
        related_item(publishedDateTime="2020-10-02T07:41:00Z"),
        related_item(publishedDateTime="2202-10-02T07:41:00Z"),
    ]
    text = markdown(fields(related=items))
    run = check_files(tmp_path, {"a.md": text}, select=["meta/future-date"])
    (finding,) = findings_of(run, "meta/future-date")
    assert finding.pointer == "/related/1/publishedDateTime"
    assert finding.line == line_of(text, "2202-10-02T07:41:00Z")


# --- meta/mojibake -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "found"),
    [
        ("title", "Russiaâ€™s Facial Recognition Plans", "â€™"),
        ("title", "CafÃ© owners protest", "Ã©"),
        ("excerpt", "Critics say â€œinevitablyâ€ chilling.", "â€œ"),
        ("title", "Ã‰cole closes", "Ã‰"),
        ("title", "Prices rise to Â£5", "Â£"),
    ],
)
def test_mojibake_in_fields_fires(tmp_path, field, value, found):
    text = markdown(fields(**{field: value}))
    run = check_files(tmp_path, {"a.md": text}, select=["meta/mojibake"])
    (finding,) = findings_of(run, "meta/mojibake")
    assert finding.pointer == f"/{field}"
    assert finding.line == line_of(text, f"{field}:")
    assert f"mojibake {found!r}" in finding.message


def test_mojibake_in_provider_topics_and_related(tmp_path):
    data = fields(
        provider={"name": "RÃ¼diger News", "domain": "hrw.org"},
        topics=["AI", "PrivÃ©"],
        related=[related_item(excerpt="Russiaâ€™s plans")],
    )
    run = check_files(tmp_path, {"a.md": markdown(data)}, select=["meta/mojibake"])
    pointers = sorted(f.pointer for f in findings_of(run, "meta/mojibake"))
    assert pointers == ["/provider/name", "/related/0/excerpt", "/topics/1"]


def test_mojibake_in_body_line(tmp_path):
    body = (
        "First paragraph is fine.\n\nAmnesty criticized Russiaâ€™s plans on Friday.\n\nLast line.\n"
    )
    text = markdown(body=body)
    run = check_files(tmp_path, {"a.md": text}, select=["meta/mojibake"])
    (finding,) = findings_of(run, "meta/mojibake")
    assert finding.line == line_of(text, "Russiaâ€™s plans")
    assert finding.pointer == ""
    assert "mojibake 'â€™' in the body" in finding.message


def test_mojibake_in_body_only_record(tmp_path):
    run = check_files(tmp_path, {"a.txt": "Line one\nSÃ£o Paulo\n"}, select=["meta/mojibake"])
    (finding,) = findings_of(run, "meta/mojibake")
    assert finding.line == 2
    assert "'Ã£'" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "Russia’s Facial Recognition Plans",
        "São Paulo",
        "Café",
        "Ærøskøbing ferry resumes",
        "Zoë “quoted” naïvely — façade",
        "¿Qué pasa? ¡Olé!",
        "Köln–Bonn: Bogotá—the capital",
        "Straße £5 €10 © ™ …",
        "Łódź, İstanbul, Ωmega",
    ],
)
def test_mojibake_passes_proper_text(tmp_path, text):
    body = f"{VALID_BODY}\n{text}\n"
    data = fields(title=text, excerpt=text, topics=[text])
    run = check_files(tmp_path, {"a.md": markdown(data, body)}, select=["meta/mojibake"])
    assert findings_of(run, "meta/mojibake") == []


# --- meta/control-character ---------------------------------------------------------------


def test_control_character_nul_past_the_binary_sniff_is_reported_at_its_column(tmp_path):
    # input/binary looks at the first 8 KiB only: a NUL after them is this rule's to report.
    body = f"{VALID_BODY}\n{'Long paragraph. ' * 600}\n\nThe end\x00 of it, and \x1b.\n"
    text = markdown(body=body)
    run = check_files(tmp_path, {"a.md": text}, select=["input/binary", "meta/control-character"])
    (finding,) = findings_of(run, "meta/control-character")
    assert len(text.encode()) > 9000 and run.result.findings == [finding]
    assert finding.severity.value == "error"
    assert (finding.line, finding.column) == (line_of(text, "The end"), len("The end") + 1)
    assert finding.message == (
        "control character U+0000 (NUL) in the body (and 1 more on this line)"
    )


def test_control_character_c1_names_the_windows_1252_character(tmp_path):
    text = markdown(body=f"{VALID_BODY}\nShe said \x93no\x94.\n")
    run = check_files(tmp_path, {"a.md": text}, select=["meta/control-character"])
    (finding,) = findings_of(run, "meta/control-character")
    assert "U+0093 (Windows-1252 '“' decoded as Latin-1)" in finding.message


def test_control_character_in_fields_from_yaml_escapes_and_json(tmp_path):
    data = fields(title="Budget\x00 passes", related=[related_item(excerpt="Tab\tis fine\x0c")])
    record = json.dumps({**fields(excerpt="Bell\x07"), "body": f"{VALID_BODY}\nNUL \x00 here"})
    run = check_files(
        tmp_path,
        {"a.md": markdown(data), "b.json": record},
        select=["meta/control-character"],
    )
    found = sorted((Path(f.path).name, f.pointer, f.message) for f in run.result.findings)
    assert found == [
        ("a.md", "/related/0/excerpt", "control character U+000C (form feed) in related/0/excerpt"),
        ("a.md", "/title", "control character U+0000 (NUL) in title"),
        (
            "b.json",
            "/body",
            f"control character U+0000 (NUL) on line {VALID_BODY.count(chr(10)) + 2} of the body",
        ),
        ("b.json", "/excerpt", "control character U+0007 in excerpt"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Tabs\tand CRLF line ends\r",
        "São Paulo — “quoted” … ©",
        "Non-breaking\xa0space, soft\xadhyphen, zero\u200bwidth",
        "Emoji 📰 and Chinese 新闻",
    ],
)
def test_control_character_passes_ordinary_text(tmp_path, text):
    data = fields(title=text.rstrip("\r"), topics=[text.rstrip("\r")])
    body = f"{VALID_BODY}\n{text}\n"
    run = check_files(tmp_path, {"a.md": markdown(data, body)}, select=["meta/control-character"])
    assert run.result.findings == []

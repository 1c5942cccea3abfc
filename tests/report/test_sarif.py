"""SARIF 2.1.0 output: valid against the OASIS schema; rules, levels and regions right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from tests.helpers import VALID_BODY, check_files, fields, markdown
from tests.report.helpers import sarif_validator


@pytest.fixture(scope="module", name="sarif_validator")
def sarif_validator_fixture() -> Draft4Validator:
    return sarif_validator()


FILES = {
    "empty-body.md": markdown(body="\n"),
    "body-only.txt": "Accessibility links\n\nJust a teaser.\n",
    "images.md": markdown(fields(images=[{"url": "https://e.org/a.jpg", "width": 1, "height": 1}])),
    "photo.md": b"\x89PNG\r\n\x1a\n\x00\x00",
    "weird name, with: colon.md": markdown(body="\n"),
}


def sarif_of(tmp_path: Path, files=FILES, **options) -> dict:
    return json.loads(check_files(tmp_path, files, **options).render("sarif"))


def test_sarif_is_valid(tmp_path: Path, sarif_validator: Draft4Validator) -> None:
    sarif = sarif_of(tmp_path)
    errors = list(sarif_validator.iter_errors(sarif))
    assert not errors, [e.message for e in errors[:5]]
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["tool"]["driver"]["name"] == "newslint"


def test_empty_sarif_is_valid(tmp_path: Path, sarif_validator: Draft4Validator) -> None:
    sarif = sarif_of(tmp_path, {"a.md": markdown()})
    assert not list(sarif_validator.iter_errors(sarif))
    assert sarif["runs"][0]["results"] == []


def test_known_finding_rule_id_and_region(tmp_path: Path) -> None:
    text = markdown(body="\n")
    sarif = sarif_of(tmp_path, {"a.md": text})
    [result] = sarif["runs"][0]["results"]
    assert result["ruleId"] == "body/missing"
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("a.md")
    assert location["region"]["startLine"] == text.split("\n").index("---", 1) + 2
    assert location["region"]["startColumn"] == 1
    assert result["properties"]["code"] == "BD001"


def test_results_point_at_their_rules(tmp_path: Path) -> None:
    run = sarif_of(tmp_path)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids))
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    rule = rules[ids.index("body/missing")]
    assert rule["properties"]["code"] == "BD001"
    assert "## What it checks" in rule["help"]["markdown"]
    assert rule["defaultConfiguration"]["level"] == "error"


def test_levels_follow_severity(tmp_path: Path) -> None:
    run = sarif_of(
        tmp_path,
        {"a.txt": "Accessibility links\n\n" + VALID_BODY},
        config='[severity]\n"input/no-front-matter" = "info"\n',
    )["runs"][0]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"input/no-front-matter": "note", "boilerplate/phrase": "warning"}


def test_end_line_in_region(tmp_path: Path) -> None:
    text = markdown()
    run = sarif_of(tmp_path, {"a.md": text}, config="[limits]\nmax-front-matter-bytes = 100\n")[
        "runs"
    ][0]
    [result] = [r for r in run["results"] if r["ruleId"] == "input/too-large"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 2
    assert region["endLine"] == text.split("\n").index("---", 1)


def test_uri_is_percent_encoded(tmp_path: Path) -> None:
    run = sarif_of(tmp_path, {"weird name, with: colon.md": markdown(body="\n")})["runs"][0]
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert " " not in uri
    assert uri.endswith("weird%20name%2C%20with%3A%20colon.md")

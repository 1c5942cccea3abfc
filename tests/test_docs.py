"""The README's rule table and docs/rules.md are generated from the registry: keep them equal."""

from __future__ import annotations

from tests.helpers import REPO
from validator.docs import BEGIN, END, rule_cards, rule_table
from validator.registry import default_registry


def test_readme_rule_table_matches_registry() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(BEGIN), readme.index(END) + len(END)
    assert readme[start:end] == rule_table(default_registry()), (
        "README rule table is stale: run `python -m validator.docs` and paste it in"
    )


def test_rule_cards_document_every_rule() -> None:
    registry = default_registry()
    cards = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert cards == rule_cards(registry), (
        "docs/rules.md is stale: run `python -m validator.docs --cards > docs/rules.md`"
    )
    for slug, rule in registry.rules.items():
        assert f"## {slug} ({rule.code})" in cards


def test_readme_first_run_commands_are_the_ones_ci_uses() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install '.[test]' && newslint check seeds/" in readme
    assert "pip install --quiet '.[test]'" in ci
    assert "python -m pytest" in readme and "python -m pytest" in ci

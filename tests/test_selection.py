"""Selection: globs, selectors, select/ignore precedence, severities, options, overrides."""

from __future__ import annotations

import pytest

from rules.body import BodyMissing, BodyTooShort
from validator.config import Config, ConfigError
from validator.findings import Severity
from validator.registry import default_registry
from validator.rule import option_files
from validator.selection import Selection, glob_to_regex, path_matches, selector_matches

REGISTRY = default_registry()


def active(selection: Selection, path: str = "news/a.md") -> dict[str, Severity]:
    return {entry.rule.slug: entry.severity for entry in selection.rules_for(path)}


def selection(cli_select=None, cli_ignore=None, **config) -> Selection:
    return Selection(Config.model_validate(config), REGISTRY, cli_select, cli_ignore, "test.toml")


# --- globs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern,path,matches",
    [
        ("*.md", "a.md", True),
        ("*.md", "news/2020/a.md", True),  # no '/': any depth
        ("*.md", "a.json", False),
        ("news/*.md", "news/a.md", True),
        ("news/*.md", "news/2020/a.md", False),  # '*' stays within a folder
        ("news/**", "news/2020/a.md", True),
        ("news/**/*.md", "news/a.md", True),
        ("news/**/*.md", "news/x/y/a.md", True),
        ("bodyonly/**", "other/bodyonly.txt", False),
        ("drafts", "drafts/x/a.md", True),  # a folder covers what is inside
        ("drafts", "a/drafts/b.md", True),
        ("drafts", "drafted/b.md", False),
        ("./news/", "news/a.md", True),
        ("a?.md", "ab.md", True),
        ("a?.md", "a/b.md", False),
        ("a.b.md", "aXb.md", False),  # dots are literal
    ],
)
def test_glob(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_to_regex(pattern).fullmatch(path)) is matches


def test_path_matches_any() -> None:
    assert path_matches("x/a.json", ["*.md", "*.json"])
    assert not path_matches("x/a.txt", ["*.md", "*.json"])


# --- selectors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "selector,matches",
    [
        ("body", True),
        ("body/missing", True),
        ("BD001", True),
        ("bd001", True),
        ("ALL", True),
        ("all", True),
        ("body/too-short", False),
        ("bod", False),
        ("BD002", False),
        ("image", False),
    ],
)
def test_selector_matches(selector: str, matches: bool) -> None:
    assert selector_matches(selector, BodyMissing) is matches


def test_default_selects_every_rule() -> None:
    assert set(active(selection())) == set(REGISTRY.rules)


def test_select_family_slug_and_code() -> None:
    assert set(active(selection(select=["body"]))) == {
        "body/missing",
        "body/too-short",
        "body/repeats-summary",
    }
    assert set(active(selection(select=["body/missing", "IM001"]))) == {
        "body/missing",
        "image/missing-dimensions",
    }


def test_ignore_wins_over_select() -> None:
    assert set(active(selection(select=["body"], ignore=["BD002"]))) == {
        "body/missing",
        "body/repeats-summary",
    }


def test_cli_select_replaces_config_select_and_cli_ignore_adds() -> None:
    chosen = selection(
        ["image", "body"], ["body/too-short"], select=["input"], ignore=["body/missing"]
    )
    rules = set(active(chosen))
    assert not any(slug.startswith("input/") for slug in rules)
    assert "image/missing-dimensions" in rules
    assert "body/missing" not in rules and "body/too-short" not in rules
    assert "body/repeats-summary" in rules


@pytest.mark.parametrize("where", ["select", "ignore"])
def test_unknown_selector_in_config(where: str) -> None:
    with pytest.raises(ConfigError, match=f"{where}: 'nope' names no rule"):
        selection(**{where: ["nope"]})


def test_unknown_selector_on_command_line() -> None:
    with pytest.raises(ConfigError, match="'XX999' names no rule"):
        selection(["XX999"])
    with pytest.raises(ConfigError, match="'body/nope' names no rule"):
        selection(None, ["body/nope"])


def test_unknown_selector_in_override() -> None:
    with pytest.raises(ConfigError, match=r"overrides\[0\]\.ignore"):
        selection(overrides=[{"paths": ["a/**"], "ignore": ["nope"]}])


# --- severity and options -----------------------------------------------------------------


def test_default_severity() -> None:
    rules = active(selection())
    assert rules["body/missing"] is Severity.ERROR
    assert rules["body/too-short"] is Severity.WARNING


def test_severity_by_slug_and_code() -> None:
    rules = active(selection(severity={"body/missing": "warning", "BD002": "info"}))
    assert rules["body/missing"] is Severity.WARNING
    assert rules["body/too-short"] is Severity.INFO


def test_rule_options_by_code() -> None:
    [entry] = [
        e
        for e in selection(rules={"BD002": {"min-words": 7}}).rules_for("a.md")
        if e.rule.slug == "body/too-short"
    ]
    assert isinstance(entry.rule, BodyTooShort)
    assert entry.rule.options.min_words == 7


def test_rule_options_validation_names_rule_and_option() -> None:
    with pytest.raises(ConfigError) as info:
        selection(rules={"body/too-short": {"min-words": "many"}})
    assert "rules.body/too-short" in str(info.value)
    assert "min-words" in str(info.value)
    assert "test.toml" in str(info.value)


# --- overrides ----------------------------------------------------------------------------


def test_overrides_apply_only_to_matching_paths() -> None:
    chosen = selection(
        overrides=[
            {
                "paths": ["bodyonly/**"],
                "ignore": ["input/no-front-matter"],
                "severity": {"body/too-short": "info"},
            },
        ]
    )
    inside = active(chosen, "bodyonly/2020/a.txt")
    outside = active(chosen, "news/a.txt")
    assert "input/no-front-matter" not in inside
    assert inside["body/too-short"] is Severity.INFO
    assert "input/no-front-matter" in outside
    assert outside["body/too-short"] is Severity.WARNING


def test_override_select_replaces_and_later_overrides_stack() -> None:
    chosen = selection(
        overrides=[
            {"paths": ["a/**"], "select": ["body"]},
            {
                "paths": ["a/b/**"],
                "ignore": ["body/missing"],
                "rules": {"body/too-short": {"min-words": 3}},
            },
        ]
    )
    assert set(active(chosen, "a/x.md")) == {
        "body/missing",
        "body/too-short",
        "body/repeats-summary",
    }
    deeper = {e.rule.slug: e.rule for e in chosen.rules_for("a/b/x.md")}
    assert set(deeper) == {"body/too-short", "body/repeats-summary"}
    assert deeper["body/too-short"].options.min_words == 3
    assert chosen.overrides_for("a/b/x.md") == (0, 1)
    assert chosen.overrides_for("c/x.md") == ()


def test_rule_sets_are_cached_per_override_combination() -> None:
    chosen = selection(overrides=[{"paths": ["a/**"], "ignore": ["body"]}])
    assert chosen.rules_for("a/x.md") is chosen.rules_for("a/y.md")
    assert chosen.rules_for("b/x.md") is chosen.rules_for("c/y.md")
    assert chosen.rules_for("a/x.md") is not chosen.rules_for("b/x.md")


# --- the cache fingerprint ------------------------------------------------------------------


def test_the_fingerprint_follows_the_files_that_options_name(tmp_path) -> None:
    """A phrase pack or learned table edited in place changes findings: cached results of
    the rules that read it must not be reused."""
    pack = tmp_path / "house.yaml"
    table = tmp_path / "learned.json"
    pack.write_text("name: house\ncategories:\n  promo:\n    phrases:\n      - Get the app\n")
    table.write_text('{"min-records": 1, "providers": {}}')
    chosen = selection(
        rules={
            "boilerplate/phrase": {"packs": [str(pack)]},
            "boilerplate/learned-line": {"table": str(table)},
        }
    )
    rules = {entry.rule.slug: entry.rule for entry in chosen.rules_for("a.md")}
    assert option_files(rules["boilerplate/phrase"].options) == [str(pack)]
    assert option_files(rules["boilerplate/learned-line"].options) == [str(table)]
    assert option_files(rules["body/missing"].options) == []

    def fingerprint() -> str:
        return selection(rules=chosen.config.rules).fingerprint_for("a.md")

    before = fingerprint()
    assert fingerprint() == before
    pack.write_text(pack.read_text() + "      - Read more\n")
    after_pack = fingerprint()
    assert after_pack != before
    table.unlink()
    assert fingerprint() not in (before, after_pack)

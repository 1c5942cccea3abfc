"""The rule registry: entry points, validation of rule classes, conflicts, built-in cards."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from pydantic import ValidationError

from rules.body import BodyMissing, BodyTooShort
from validator.findings import Severity
from validator.registry import (
    ENTRY_POINT_GROUP,
    PluginError,
    build_registry,
    default_registry,
    find_entry_points,
    load_entry_point,
    validate_rule_class,
)
from validator.rule import CODE_PATTERN, SLUG_PATTERN, Rule


def make_rule(slug: str = "acme/clickbait", code: str = "AC001", **extra) -> type[Rule]:
    attributes = dict(
        slug=slug,
        code=code,
        severity=Severity.WARNING,
        summary="Title reads like clickbait",
        what="Reports titles ending in '!!!'.",
        why="Readers distrust them.",
        bad="title: Wow!!!",
        good="title: Council approves budget",
    )
    attributes.update(extra)
    return type("Clickbait", (Rule,), attributes)


# --- build_registry -----------------------------------------------------------------------


def test_duplicate_slug_is_refused_naming_both() -> None:
    first, second = make_rule(code="AC001"), make_rule(code="AC002")
    with pytest.raises(PluginError) as info:
        build_registry([("one = pkg_one:RULES", first), ("two = pkg_two:RULES", second)])
    message = str(info.value)
    assert "'acme/clickbait'" in message
    assert "one = pkg_one:RULES" in message and "two = pkg_two:RULES" in message


def test_duplicate_code_is_refused_naming_both() -> None:
    first, second = make_rule("acme/one"), make_rule("acme/two")
    with pytest.raises(PluginError) as info:
        build_registry([("one = a:R", first), ("two = b:R", second)])
    message = str(info.value)
    assert "AC001" in message
    assert "acme/one" in message and "acme/two" in message
    assert "unique" in message


def test_built_in_code_cannot_be_claimed() -> None:
    impostor = make_rule("acme/body", "BD001")
    found = [(label, rule) for label, rule in _built_ins()] + [("acme = acme:RULES", impostor)]
    with pytest.raises(PluginError, match="BD001"):
        build_registry(found)


def test_same_class_twice_is_not_a_conflict() -> None:
    rule = make_rule()
    registry = build_registry([("one = a:R", rule), ("one = a:R", rule)])
    assert list(registry.rules) == ["acme/clickbait"]


def test_registry_is_sorted_and_resolves() -> None:
    registry = build_registry([("b", BodyTooShort), ("a", BodyMissing), ("c", make_rule())])
    assert list(registry.rules) == ["acme/clickbait", "body/missing", "body/too-short"]
    assert registry.resolve("BD001") is BodyMissing
    assert registry.resolve("bd002") is BodyTooShort
    assert registry.resolve("body/missing") is BodyMissing
    assert registry.resolve("nope") is None
    assert registry.families == {"acme", "body"}
    assert registry.sources["body/missing"] == "a"


# --- validate_rule_class ------------------------------------------------------------------


@pytest.mark.parametrize(
    "slug",
    ["Body/Missing", "body", "body/", "/missing", "body/missing/x", "body/mis sing", "1body/x"],
)
def test_bad_slug_is_refused(slug: str) -> None:
    with pytest.raises(PluginError, match="slug"):
        validate_rule_class(make_rule(slug=slug), "acme = acme:RULES")


@pytest.mark.parametrize("code", ["B001", "BD01", "bd001", "ABCDE001", "BD0001", ""])
def test_bad_code_is_refused(code: str) -> None:
    with pytest.raises(PluginError, match="code") as info:
        validate_rule_class(make_rule(code=code), "acme = acme:RULES")
    assert "acme = acme:RULES" in str(info.value)


def test_missing_card_attributes_are_refused() -> None:
    class Bare(Rule):
        slug = "acme/bare"
        code = "AC009"
        severity = Severity.ERROR

    with pytest.raises(PluginError, match="lacks summary, what, why, bad, good"):
        validate_rule_class(Bare, "acme")


def test_good_rule_passes() -> None:
    validate_rule_class(make_rule(), "acme")


# --- entry points -------------------------------------------------------------------------


def test_entry_point_that_fails_to_load() -> None:
    entry_point = EntryPoint(
        name="broken", value="no_such_module_xyz:RULES", group=ENTRY_POINT_GROUP
    )
    with pytest.raises(PluginError, match="broken = no_such_module_xyz:RULES' failed to load"):
        load_entry_point(entry_point)


def test_entry_point_that_is_not_a_rule() -> None:
    entry_point = EntryPoint(name="odd", value="os:getcwd", group=ENTRY_POINT_GROUP)
    with pytest.raises(PluginError, match="not a newslint Rule class"):
        load_entry_point(entry_point)


def test_entry_point_with_one_rule_class() -> None:
    entry_point = EntryPoint(name="body1", value="rules.body:BodyMissing", group=ENTRY_POINT_GROUP)
    assert load_entry_point(entry_point) == [BodyMissing]


def test_built_in_families_come_from_entry_points() -> None:
    names = {ep.name for ep in find_entry_points()}
    assert {
        "input",
        "schema",
        "body",
        "image",
        "link",
        "secured",
        "boilerplate",
        "meta",
        "internal",
    } <= names


def _built_ins() -> list[tuple[str, type[Rule]]]:
    found = []
    for entry_point in find_entry_points():
        found.extend((entry_point.name, rule) for rule in load_entry_point(entry_point))
    return found


# --- built-in rules -----------------------------------------------------------------------


def test_built_in_codes_and_slugs_are_unique() -> None:
    rules = [rule for _, rule in _built_ins()]
    codes = [rule.code for rule in rules]
    slugs = [rule.slug for rule in rules]
    assert len(codes) == len(set(codes))
    assert len(slugs) == len(set(slugs))
    assert set(default_registry().rules) == set(slugs)


@pytest.mark.parametrize("slug", sorted(default_registry().rules))
def test_built_in_rule_has_a_full_card(slug: str) -> None:
    rule = default_registry().rules[slug]
    assert SLUG_PATTERN.match(rule.slug)
    assert CODE_PATTERN.match(rule.code)
    assert isinstance(rule.severity, Severity)
    for attribute in ("summary", "what", "why", "bad", "good"):
        value = getattr(rule, attribute)
        assert isinstance(value, str) and value.strip(), f"{slug}.{attribute} is empty"
    card = rule.card()
    assert card.startswith(f"# {rule.slug} ({rule.code})")
    for heading in ("## What it checks", "## Why it matters", "## Example", "## Use instead"):
        assert heading in card
    assert " ".join(rule.why.split())[:40] in " ".join(card.split())


def test_built_in_rule_options_refuse_unknown_keys() -> None:
    for rule in default_registry().rules.values():
        rule.Options()  # defaults always valid
        with pytest.raises(ValidationError):
            rule.Options.model_validate({"no-such-option-xyz": 1})


def test_rule_family_property() -> None:
    assert BodyMissing().family == "body"

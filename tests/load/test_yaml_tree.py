"""The event-based YAML builder: values, positions, duplicate keys, tags and limits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validator.load.yaml_tree import YamlLimits, YamlRefused, load_positions, load_yaml

LIMITS = YamlLimits()


def slugs(document) -> list[str]:
    return [slug for slug, _ in document.problems]


def refused(text: str, limits: YamlLimits = LIMITS, first_line: int = 1) -> YamlRefused:
    with pytest.raises(YamlRefused) as info:
        load_yaml(text, first_line, limits)
    return info.value


# --- values -------------------------------------------------------------------------------


def test_builds_nested_values() -> None:
    text = "a: 1\nb:\n  c: [x, y]\n  d: {e: true}\nf:\n  - g: null\n"
    document = load_yaml(text, 1, LIMITS)
    assert document.value == {"a": 1, "b": {"c": ["x", "y"], "d": {"e": True}}, "f": [{"g": None}]}
    assert document.problems == []


def test_timestamps_and_binary_stay_text() -> None:
    text = "t: 2020-10-02T04:30:00Z\nd: 2001-12-14\nb: !!binary aGVsbG8=\ns: !!str 12\n"
    document = load_yaml(text, 1, LIMITS)
    assert document.value == {
        "t": "2020-10-02T04:30:00Z",
        "d": "2001-12-14",
        "b": "aGVsbG8=",
        "s": "12",
    }
    assert all(type(v) is str for v in document.value.values())


def test_explicit_standard_scalar_tags_are_constructed() -> None:
    document = load_yaml("i: !!int '12'\nf: !!float '1.5'\nb: !!bool 'true'\n", 1, LIMITS)
    assert document.value == {"i": 12, "f": 1.5, "b": True}


def test_non_string_keys_become_text() -> None:
    document = load_yaml("1: a\ntrue: b\nnull: c\n", 1, LIMITS)
    assert document.value == {"1": "a", "true": "b", "null": "c"}


def test_empty_document_is_none() -> None:
    assert load_yaml("", 1, LIMITS).value is None


# --- positions ----------------------------------------------------------------------------


def test_positions_are_offset_by_first_line() -> None:
    text = "title: T\nprovider:\n  name: N\n  domain: d.org\nimages:\n  - url: u\n    width: 4\n"
    document = load_yaml(text, 10, LIMITS)
    positions = document.positions
    assert (positions["/title"].line, positions["/title"].column) == (10, 1)
    assert (positions["/provider/domain"].line, positions["/provider/domain"].column) == (13, 3)
    assert (positions["/images/0/width"].line, positions["/images/0/width"].column) == (16, 5)
    assert positions["/images/0"].line == 15


def test_container_positions_have_end_lines() -> None:
    text = "provider:\n  name: N\n  domain: d.org\ntitle: T\n"
    position = load_yaml(text, 1, LIMITS).positions["/provider"]
    assert position.line == 1
    assert position.end_line is not None and position.end_line >= 3


def test_pointer_tokens_are_escaped() -> None:
    document = load_yaml("'a/b': 1\n'c~d': 2\n", 1, LIMITS)
    assert "/a~1b" in document.positions
    assert "/c~0d" in document.positions


# --- duplicate keys -----------------------------------------------------------------------


def test_duplicate_key_problem_names_both_lines() -> None:
    document = load_yaml("title: a\nx: 1\ntitle: b\n", 2, LIMITS)
    [(slug, problem)] = document.problems
    assert slug == "input/duplicate-key"
    assert problem.line == 4
    assert problem.pointer == "/title"
    assert "first at line 2" in problem.message
    assert document.value["title"] == "b"


def test_same_key_in_different_mappings_is_not_a_duplicate() -> None:
    document = load_yaml("a:\n  name: x\nb:\n  name: y\n", 1, LIMITS)
    assert document.problems == []


# --- tags ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "a: !!python/name:os.system ''\n",
        "a: !custom value\n",
        "a: !!set {x, y}\n",
    ],
)
def test_unsupported_tags_are_problems_not_objects(text: str) -> None:
    document = load_yaml(text, 1, LIMITS)
    assert "input/yaml-tag" in slugs(document)
    value = document.value["a"]
    assert isinstance(value, (str, list, dict))


def test_complex_key_is_a_tag_problem() -> None:
    document = load_yaml("? [a, b]\n: x\n", 1, LIMITS)
    assert "input/yaml-tag" in slugs(document)


# --- syntax -------------------------------------------------------------------------------


def test_syntax_error_line_and_column() -> None:
    error = refused("a: 1\nb: [1, 2\nc: 3\n", first_line=2)
    assert error.slug == "input/yaml-syntax"
    assert error.problem.line >= 3


def test_mapping_value_error_position() -> None:
    error = refused("a: b\n  c: d\n", first_line=5)
    assert error.slug == "input/yaml-syntax"
    assert (error.problem.line, error.problem.column) == (6, 4)


def test_second_document_is_refused() -> None:
    error = refused("a: 1\n--- \nb: 2\n")
    assert error.slug == "input/yaml-syntax"
    assert "more than one" in error.problem.message


def test_alias_to_unfinished_anchor_is_refused() -> None:
    error = refused("a: &a [*a]\n")
    assert error.slug == "input/yaml-syntax"


def test_undefined_alias_is_refused() -> None:
    assert refused("a: *nowhere\n").slug == "input/yaml-syntax"


def test_control_character_error_names_its_line() -> None:
    error = refused("a: 1\nb: 2\nc: x\x01y\n", first_line=2)
    assert error.slug == "input/yaml-syntax"
    assert error.problem.line == 4


# --- limits -------------------------------------------------------------------------------


def test_depth_at_the_limit_is_accepted_and_beyond_refused() -> None:
    limits = YamlLimits(max_depth=3)
    assert load_yaml("a: {b: {c: 1}}\n", 1, limits).value == {"a": {"b": {"c": 1}}}
    error = refused("a: {b: {c: {d: 1}}}\n", limits)
    assert error.slug == "input/yaml-limits"
    assert "3 levels" in error.problem.message


def test_very_deep_flow_nesting_is_refused_without_recursion() -> None:
    error = refused("a: " + "[" * 100_000 + "\n")
    assert error.slug == "input/yaml-limits"


def test_alias_count_limit() -> None:
    limits = YamlLimits(max_aliases=2)
    assert load_yaml("a: &x 1\nb: *x\nc: *x\n", 1, limits).value == {"a": 1, "b": 1, "c": 1}
    error = refused("a: &x 1\nb: *x\nc: *x\nd: *x\n", limits)
    assert error.slug == "input/yaml-limits"
    assert error.problem.line == 4


def test_aliases_count_their_expanded_weight() -> None:
    limits = YamlLimits(max_nodes=20)
    # 1 mapping + 1 key + list of 5 = 8 nodes so far; each alias adds the list's 6.
    text = "a: &l [1, 2, 3, 4, 5]\nb: *l\nc: *l\nd: *l\n"
    error = refused(text, limits)
    assert error.slug == "input/yaml-limits"


def test_billion_laughs_is_refused_without_expanding() -> None:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghij":
        text += f"{name}: &{name} [" + ",".join(["*" + previous] * 9) + "]\n"
        previous = name
    error = refused(text)  # 9**10 values if expanded: finishing at all proves it was not
    assert error.slug == "input/yaml-limits"
    assert "refused without expanding" in error.problem.message


def test_node_limit_on_plain_size() -> None:
    text = "".join(f"k{i}: v\n" for i in range(30))
    assert refused(text, YamlLimits(max_nodes=50)).slug == "input/yaml-limits"
    assert len(load_yaml(text, 1, YamlLimits(max_nodes=100)).value) == 30


# --- positions without values ---------------------------------------------------------------

YAML_LINES = [
    "a: 1",
    "b:",
    "  c: x",
    "  - d",
    "- e",
    "- - f",
    "  g: [1, {h: i}]",
    "j: &k {l: m}",
    "n: *k",
    "? [o]",
    ": p",
    "1: q",
    "yes: r",
    "a/b~c: s",
    "t: |",
    "  u",
    "v: 'w",
    "---",
    "x: !!int 1",
    "a: 2",
    "# c",
    "",
    "   ",
]


@settings(max_examples=500)
@given(
    st.lists(st.sampled_from(YAML_LINES), max_size=10),
    st.integers(1, 4),
    st.sampled_from([YamlLimits(), YamlLimits(max_depth=2), YamlLimits(max_nodes=5)]),
)
def test_load_positions_are_the_builders_positions(lines, first_line, limits) -> None:
    text = "\n".join(lines)
    try:
        expected = load_yaml(text, first_line, limits).positions
    except YamlRefused as refusal:
        with pytest.raises(YamlRefused) as info:
            load_positions(text, first_line, limits)
        assert info.value.problem == refusal.problem
        return
    assert load_positions(text, first_line, limits) == expected

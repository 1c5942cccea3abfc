"""Configuration: discovery, validation errors naming the key, overrides, custom schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import REPO, VALID_BODY, check_files, fields, findings_of, markdown, rules_fired
from validator.app import CheckOptions, check
from validator.config import Config, ConfigError, discover_config, load_config
from validator.config_schema import config_schema


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- discovery ----------------------------------------------------------------------------


def test_newslint_toml_found_walking_up(tmp_path: Path) -> None:
    config = write(tmp_path / "newslint.toml", 'select = ["body"]\n')
    record = write(tmp_path / "a" / "b" / "c" / "x.md", markdown())
    assert discover_config(record) == config
    loaded = load_config(None, [record])
    assert loaded.source == config
    assert loaded.root == tmp_path.resolve()
    assert loaded.config.select == ["body"]


def test_pyproject_table_found_walking_up(tmp_path: Path) -> None:
    config = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.newslint]\nfail-on = "warning"\n',
    )
    folder = tmp_path / "news" / "2020"
    folder.mkdir(parents=True)
    loaded = load_config(None, [folder])
    assert loaded.source == config
    assert loaded.config.fail_on == "warning"


def test_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    outer = write(tmp_path / "newslint.toml", 'ignore = ["meta"]\n')
    write(tmp_path / "inner" / "pyproject.toml", '[project]\nname = "x"\n')
    record = write(tmp_path / "inner" / "a.md", markdown())
    assert discover_config(record) == outer


def test_nearest_config_wins(tmp_path: Path) -> None:
    write(tmp_path / "newslint.toml", 'select = ["body"]\n')
    inner = write(tmp_path / "inner" / "pyproject.toml", '[tool.newslint]\nselect = ["image"]\n')
    record = write(tmp_path / "inner" / "a.md", markdown())
    assert discover_config(record) == inner


def test_newslint_toml_preferred_over_pyproject_in_same_folder(tmp_path: Path) -> None:
    preferred = write(tmp_path / "newslint.toml", "")
    write(tmp_path / "pyproject.toml", '[tool.newslint]\nselect = ["image"]\n')
    assert discover_config(tmp_path) == preferred


def test_discovered_config_applies_to_run(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.newslint]\nselect = ["input"]\n')
    record = write(tmp_path / "deep" / "er" / "a.md", markdown(body="\n"))
    run = check(CheckOptions(paths=[record]))
    assert run.result.findings == []  # body/missing not selected
    run = check(CheckOptions(paths=[record.parent]))
    assert run.result.findings == []


def test_common_folder_of_several_paths(tmp_path: Path) -> None:
    config = write(tmp_path / "newslint.toml", "")
    a = write(tmp_path / "one" / "a.md", markdown())
    b = write(tmp_path / "two" / "deeper" / "b.md", markdown())
    write(tmp_path / "one" / "newslint.toml", 'select = ["body"]\n')  # not common to both
    assert load_config(None, [a, b]).source == config


def test_explicit_config_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", [tmp_path])


# --- validation ---------------------------------------------------------------------------


def config_error(tmp_path: Path, text: str, name: str = "newslint.toml") -> str:
    write(tmp_path / name, text)
    record = write(tmp_path / "a.md", markdown())
    with pytest.raises(ConfigError) as info:
        check(CheckOptions(paths=[record]))
    return str(info.value)


def test_unknown_key_in_pyproject_names_the_key(tmp_path: Path) -> None:
    message = config_error(tmp_path, '[tool.newslint]\nselectt = ["body"]\n', "pyproject.toml")
    assert "tool.newslint.selectt" in message
    assert "pyproject.toml" in message


def test_unknown_nested_key_names_the_key(tmp_path: Path) -> None:
    message = config_error(tmp_path, "[limits]\nmax-bytes = 3\n")
    assert "newslint.limits.max-bytes" in message


def test_unknown_key_in_override(tmp_path: Path) -> None:
    message = config_error(tmp_path, '[[overrides]]\npaths = ["a/**"]\nignor = ["body"]\n')
    assert "newslint.overrides.0.ignor" in message


@pytest.mark.parametrize(
    "text,key",
    [
        ('fail-on = "sometimes"\n', "newslint.fail-on"),
        ('select = "body"\n', "newslint.select"),
        ("[limits]\nmax-file-bytes = 0\n", "newslint.limits.max-file-bytes"),
        ("[limits]\nmax-line-bytes = 0\n", "newslint.limits.max-line-bytes"),
        ('[limits]\nmax-depth = "deep"\n', "newslint.limits.max-depth"),
        ('[severity]\n"body/missing" = "fatal"\n', "newslint.severity.body/missing"),
        ("[[overrides]]\npaths = []\n", "newslint.overrides.0.paths"),
    ],
)
def test_bad_value_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    assert key in config_error(tmp_path, text)


def test_invalid_toml(tmp_path: Path) -> None:
    assert "not valid TOML" in config_error(tmp_path, "select = [\n")


def test_rule_option_error_names_rule_and_option(tmp_path: Path) -> None:
    message = config_error(tmp_path, '[rules."body/too-short"]\nmin-words = 0\n')
    assert "body/too-short" in message and "min-words" in message


def test_unknown_rule_option_names_rule_and_option(tmp_path: Path) -> None:
    message = config_error(tmp_path, '[rules."body/too-short"]\nmin-wordz = 3\n')
    assert "rules.body/too-short" in message and "min-wordz" in message


def test_options_for_unknown_rule(tmp_path: Path) -> None:
    assert "no rule 'body/nope'" in config_error(tmp_path, '[rules."body/nope"]\nx = 1\n')


def test_severity_for_unknown_rule(tmp_path: Path) -> None:
    assert "no rule 'body/nope'" in config_error(tmp_path, '[severity]\n"body/nope" = "info"\n')


def test_override_option_error_names_override(tmp_path: Path) -> None:
    text = '[[overrides]]\npaths = ["x/**"]\n[overrides.rules."BD002"]\nmin-words = -1\n'
    message = config_error(tmp_path, text)
    assert "overrides[0]" in message and "min-words" in message


def test_defaults_without_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "isolated"
    folder.mkdir()
    monkeypatch.chdir(folder)
    loaded = load_config(None, [folder])
    if loaded.source is not None:  # a config above the temporary folder: nothing to assert
        pytest.skip(f"a configuration file above the temporary folder: {loaded.source}")
    assert loaded.config == Config()


# --- effects ------------------------------------------------------------------------------


def test_rule_options_apply(tmp_path: Path) -> None:
    body = "one two three four five\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert "body/too-short" in rules_fired(
        check_files(tmp_path / "a", {"a.md": markdown(body=body)})
    )
    run = check_files(
        tmp_path / "b",
        {"a.md": markdown(body=body)},
        config='[rules."body/too-short"]\nmin-words = 5\n',
    )
    assert run.result.findings == []


def test_severity_override(tmp_path: Path) -> None:
    run = check_files(
        tmp_path,
        {"a.md": markdown(body="Short body.\n")},
        config='[severity]\n"body/too-short" = "error"\n',
    )
    [finding] = run.result.findings
    assert finding.severity.value == "error"
    assert run.exit_code == 1


def test_severity_override_by_code_to_info(tmp_path: Path) -> None:
    run = check_files(
        tmp_path, {"a.md": markdown(body="\n")}, config='[severity]\nBD001 = "info"\n'
    )
    [finding] = run.result.findings
    assert finding.severity.value == "info"
    assert run.exit_code == 0


def test_per_path_override_ignore_and_severity(tmp_path: Path) -> None:
    config = (
        "[[overrides]]\n"
        'paths = ["bodyonly/**"]\n'
        'ignore = ["input/no-front-matter"]\n'
        'severity = { "body/too-short" = "info" }\n'
    )
    text = "A short scraped teaser.\n"
    run = check_files(tmp_path, {"bodyonly/x/a.txt": text, "other/b.txt": text}, config=config)
    by_file = {(Path(f.path).parent.name, f.rule): f.severity.value for f in run.result.findings}
    assert by_file == {
        ("x", "body/too-short"): "info",
        ("other", "body/too-short"): "warning",
        ("other", "input/no-front-matter"): "warning",
    }


def test_override_select_and_rule_options(tmp_path: Path) -> None:
    config = (
        "[[overrides]]\n"
        'paths = ["archive"]\n'
        'select = ["input"]\n'
        "[[overrides]]\n"
        'paths = ["short/*.md"]\n'
        '[overrides.rules."body/too-short"]\n'
        "min-words = 2\n"
    )
    files = {
        "archive/2019/a.md": markdown(body="\n"),
        "short/b.md": markdown(body="Two words.\n"),
        "short/deeper/c.md": markdown(body="Two words.\n"),
    }
    run = check_files(tmp_path, files, config=config)
    fired = {(Path(f.path).name, f.rule) for f in run.result.findings}
    assert fired == {("c.md", "body/too-short")}


def test_limits_from_config(tmp_path: Path) -> None:
    front = "a: {b: {c: {d: 1}}}"
    run = check_files(
        tmp_path,
        {"a.md": f"---\n{front}\n---\n{VALID_BODY}"},
        config="[limits]\nmax-depth = 3\n",
        select=["input"],
    )
    assert rules_fired(run) == {"input/yaml-limits"}


def test_exclude_and_include_when_walking(tmp_path: Path) -> None:
    write(tmp_path / "newslint.toml", 'exclude = ["drafts/**"]\ninclude = ["*.md"]\n')
    write(tmp_path / "news" / "a.md", markdown())
    write(tmp_path / "news" / "b.txt", markdown())
    write(tmp_path / "drafts" / "c.md", markdown())
    write(tmp_path / "node_modules" / "d.md", markdown())
    run = check(CheckOptions(paths=[tmp_path]))
    assert [Path(f.path).name for f in run.result.files] == ["a.md"]


def test_custom_schema(tmp_path: Path) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["headline"],
        "properties": {"headline": {"type": "string"}},
    }
    write(tmp_path / "schemas" / "my.schema.json", json.dumps(schema))
    run = check_files(
        tmp_path,
        {"a.md": markdown(fields()), "b.md": markdown({"headline": "Yes"})},
        config='schema = "schemas/my.schema.json"\n',
        select=["schema"],
    )
    [finding] = run.result.findings
    assert finding.path.endswith("a.md")
    assert "missing field 'headline'" in finding.message


def test_custom_schema_missing_or_invalid(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    assert "cannot read" in config_error(tmp_path / "one", 'schema = "nope.json"\n')
    write(tmp_path / "two" / "bad.json", '{"type": 12}')
    assert "not a valid JSON Schema" in config_error(tmp_path / "two", 'schema = "bad.json"\n')


def test_default_schema_rejects_unknown_field(tmp_path: Path) -> None:
    run = check_files(tmp_path, {"a.md": markdown(fields(headline="x"))}, select=["schema"])
    [finding] = findings_of(run, "schema/violation")
    assert "headline" in finding.message


# --- schema file --------------------------------------------------------------------------


def test_config_schema_file_is_up_to_date() -> None:
    on_disk = json.loads((REPO / "schemas" / "config.schema.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(config_schema()))


def test_readme_example_config_is_valid(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("```toml\n[tool.newslint]\n", 1)[1].split("```", 1)[0]
    block = block.replace('schema = "schemas/our-record.schema.json"', "").replace(
        'secured-key-file = "secrets/news.key"', ""
    )
    write(tmp_path / "pyproject.toml", "[tool.newslint]\n" + block)
    loaded = load_config(None, [tmp_path])
    assert loaded.config.ignore == ["meta/mojibake"]
    assert len(loaded.config.overrides) == 2
    check(CheckOptions(paths=[write(tmp_path / "a.md", markdown())]))


@pytest.mark.parametrize("tool", ["[tool]\nnewslint = 3\n", '[tool]\nnewslint = "x"\n'])
def test_a_tool_newslint_that_is_not_a_table_names_it(tmp_path: Path, tool: str) -> None:
    write(tmp_path / "pyproject.toml", tool)
    with pytest.raises(ConfigError, match=r"\[tool.newslint\] must be a table"):
        check(CheckOptions(paths=[write(tmp_path / "a.md", markdown())]))


def test_a_tool_that_is_not_a_table_is_no_newslint_config(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "tool = 3\n")
    assert discover_config(tmp_path) is None

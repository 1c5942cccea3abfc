"""Configuration: `[tool.newslint]` in pyproject.toml or a newslint.toml, found by walking up.

Unknown keys and bad values are a ConfigError naming the file and the key.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from validator.findings import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

CONFIG_FILENAMES = ("newslint.toml", "pyproject.toml")
DEFAULT_INCLUDE = ["*.md", "*.markdown", "*.txt", "*.json", "*.jsonl", "*.ndjson"]
DEFAULT_EXCLUDE = [
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "__pycache__",
    ".newslint_cache",
    ".newslint",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".newslint-baseline.json",
    "*.newslint.json",
    "*.newslint-baseline.json",
]
FailOn = Literal["error", "warning", "info", "never"]


class ConfigError(Exception):
    """A configuration problem the user must fix; the message names file and key."""


class _Section(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        alias_generator=lambda name: name.replace("_", "-"),
    )


class LimitsConfig(_Section):
    max_file_bytes: int = Field(5 * 1024 * 1024, gt=0)
    max_line_bytes: int = Field(
        5 * 1024 * 1024,
        gt=0,
        description="largest line (one record) of a .jsonl/.ndjson file, which is read line by "
        "line: max-file-bytes does not apply to it",
    )
    max_front_matter_bytes: int = Field(256 * 1024, gt=0)
    max_depth: int = Field(64, gt=0, le=10_000)
    max_aliases: int = Field(100, ge=0)
    max_nodes: int = Field(100_000, gt=0)
    record_seconds: float = Field(
        10.0, ge=0, description="wall-clock limit for checking one record (0: none)"
    )


class Override(_Section):
    """Settings for the files matching ``paths`` (globs relative to the config file)."""

    paths: list[str] = Field(min_length=1)
    select: list[str] | None = None
    ignore: list[str] = []
    severity: dict[str, Severity] = {}
    rules: dict[str, dict[str, Any]] = {}


class Config(_Section):
    select: list[str] | None = None
    ignore: list[str] = []
    include: list[str] = Field(default_factory=lambda: list(DEFAULT_INCLUDE))
    exclude: list[str] = []
    fail_on: FailOn = "error"
    schema_: str | None = Field(None, alias="schema")
    secured_key_file: str | None = None
    cache_dir: str | None = None
    severity: dict[str, Severity] = {}
    rules: dict[str, dict[str, Any]] = {}
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    # Settings of the opt-in online checks, validated by validator.online.settings.
    online: dict[str, Any] = {}
    overrides: list[Override] = []


class LoadedConfig(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    config: Config
    source: Path | None  # the file it came from, or None for defaults
    root: Path  # folder that relative paths in the config are resolved against


def _format_error(source: Path, prefix: str, error: ValidationError) -> str:
    lines = [f"{source}: invalid configuration"]
    for item in error.errors():
        key = ".".join([prefix, *[str(part) for part in item["loc"]]])
        lines.append(f"  {key}: {item['msg']}")
    return "\n".join(lines)


def parse_config(raw: dict[str, Any], source: Path, prefix: str) -> Config:
    try:
        return Config.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(_format_error(source, prefix, error)) from None


def read_config_file(path: Path) -> LoadedConfig:
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read configuration: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    if path.name == "pyproject.toml":
        raw = document.get("tool", {}).get("newslint", {})
        prefix = "tool.newslint"
    else:
        raw, prefix = document, "newslint"
    return LoadedConfig(
        config=parse_config(raw, path, prefix), source=path, root=path.parent.resolve()
    )


def _has_newslint_table(pyproject: Path) -> bool:
    try:
        with pyproject.open("rb") as handle:
            return "newslint" in tomllib.load(handle).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False


def discover_config(start: Path) -> Path | None:
    """The nearest newslint.toml, or pyproject.toml with [tool.newslint], at or above start."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate_dir in (folder, *folder.parents):
        for name in CONFIG_FILENAMES:
            candidate = candidate_dir / name
            if not candidate.is_file():
                continue
            if name == "newslint.toml" or _has_newslint_table(candidate):
                return candidate
    return None


def load_config(explicit: Path | None, paths: list[Path]) -> LoadedConfig:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        return read_config_file(explicit)
    start = _common_folder(paths)
    found = discover_config(start)
    if found is None:
        return LoadedConfig(
            config=Config.model_validate({}), source=None, root=Path.cwd().resolve()
        )
    return read_config_file(found)


def _common_folder(paths: list[Path]) -> Path:
    if not paths:
        return Path.cwd()
    resolved = [p.resolve() for p in paths]
    common = resolved[0]
    for other in resolved[1:]:
        while common != common.parent and not other.is_relative_to(common):
            common = common.parent
    return common

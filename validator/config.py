"""Configuration: `[tool.newslint]` in pyproject.toml or a newslint.toml, found by walking up.

Unknown keys and bad values are a ConfigError naming the file and the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from validator.config_files import (
    CONFIG_FILENAMES,
    ConfigError,
    config_path,
    discover_config,
    read_table,
)
from validator.findings import Severity

__all__ = ["CONFIG_FILENAMES", "ConfigError", "discover_config"]
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
    raw, prefix = read_table(path)
    return LoadedConfig(
        config=parse_config(raw, path, prefix), source=path, root=path.parent.resolve()
    )


def load_config(explicit: Path | None, paths: list[Path]) -> LoadedConfig:
    if explicit is not None and not explicit.is_file():
        raise ConfigError(f"{explicit}: configuration file not found")
    found = config_path(explicit, paths)
    if found is None:
        return LoadedConfig(
            config=Config.model_validate({}), source=None, root=Path.cwd().resolve()
        )
    return read_config_file(found)

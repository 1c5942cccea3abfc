"""Finding and reading configuration files with the standard library alone.

validator.config validates what these return; validator.replay uses them before anything
heavier is imported, so both agree on which file configures a run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

if TYPE_CHECKING:  # typing's names cost a replay (validator.replay) several milliseconds
    from collections.abc import Iterator
    from typing import Any

CONFIG_FILENAMES = ("newslint.toml", "pyproject.toml")


class ConfigError(Exception):
    """A configuration problem the user must fix; the message names file and key."""


def read_table(path: Path) -> tuple[dict[str, Any], str]:
    """newslint's settings in ``path`` (raw, unvalidated) and the prefix naming their keys."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read configuration: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    if path.name == "pyproject.toml":
        table = _tool_table(document)
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.newslint] must be a table of settings")
        return table, "tool.newslint"
    return document, "newslint"


def _tool_table(document: dict[str, Any]) -> Any:
    """pyproject's [tool.newslint] as written ({} when absent; not always a table)."""
    tool = document.get("tool", {})
    return tool.get("newslint", {}) if isinstance(tool, dict) else {}


def _has_newslint_table(pyproject: Path) -> bool:
    try:
        with pyproject.open("rb") as handle:
            tool = tomllib.load(handle).get("tool", {})
            return isinstance(tool, dict) and "newslint" in tool
    except (OSError, tomllib.TOMLDecodeError):
        return False


def discover_config(start: Path) -> Path | None:
    """The nearest newslint.toml, or pyproject.toml with [tool.newslint], at or above start."""
    for candidate in config_candidates(start):
        if not candidate.is_file():
            continue
        if candidate.name == "newslint.toml" or _has_newslint_table(candidate):
            return candidate
    return None


def config_candidates(start: Path) -> Iterator[Path]:
    """Where discover_config looks, nearest first."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate_dir in (folder, *folder.parents):
        for name in CONFIG_FILENAMES:
            yield candidate_dir / name


def config_path(explicit: Path | None, paths: list[Path]) -> Path | None:
    """The file that configures a run over ``paths``: ``explicit`` (--config) or the one
    discovered from the paths' common folder; None when there is none."""
    if explicit is not None:
        return explicit
    return discover_config(common_folder(paths))


def common_folder(paths: list[Path]) -> Path:
    if not paths:
        return Path.cwd()
    resolved = [p.resolve() for p in paths]
    common = resolved[0]
    for other in resolved[1:]:
        while common != common.parent and not other.is_relative_to(common):
            common = common.parent
    return common

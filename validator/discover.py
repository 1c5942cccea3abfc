"""Paths to files: folders are walked (include/exclude globs), explicit files always kept.

Nothing is dropped silently: a path that does not exist or is not a regular file is
returned with a problem, so it appears in the report.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from validator.config import DEFAULT_EXCLUDE
from validator.selection import path_matches


@dataclass(frozen=True)
class Discovered:
    path: Path
    relative: str  # relative to the config root, for globs
    problem: str | None = None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return path.as_posix().lstrip("/")


def discover(
    paths: list[Path], root: Path, include: list[str], exclude: list[str]
) -> Iterator[Discovered]:
    seen: set[str] = set()
    excluded = [*DEFAULT_EXCLUDE, *exclude]
    for given in paths:
        for item in _expand(given, root, include, excluded):
            key = os.path.normpath(str(item.path))
            if key not in seen:
                seen.add(key)
                yield item


def _expand(
    given: Path, root: Path, include: list[str], excluded: list[str]
) -> Iterator[Discovered]:
    try:
        mode = given.stat().st_mode
    except FileNotFoundError:
        yield Discovered(given, _relative(given, root), "no such file or folder")
        return
    except OSError as error:
        yield Discovered(given, _relative(given, root), f"cannot access: {error.strerror}")
        return
    if stat.S_ISDIR(mode):
        yield from _walk(given, root, include, excluded)
    elif stat.S_ISREG(mode):
        yield Discovered(given, _relative(given, root))
    else:
        yield Discovered(
            given, _relative(given, root), "not a regular file (a FIFO, socket or device)"
        )


def _walk(
    folder: Path, root: Path, include: list[str], excluded: list[str]
) -> Iterator[Discovered]:
    # os.walk does not follow symlinked folders, so a symlink loop cannot trap it.
    errors: list[OSError] = []
    for current, dirs, files in os.walk(folder, onerror=errors.append):
        while errors:
            yield _folder_problem(errors.pop(), current, root)
        current_path = Path(current)
        # One resolve per folder, not per file: names inside it are joined on.
        current_relative = _relative(current_path, root)
        dirs[:] = sorted(d for d in dirs if not path_matches(_join(current_relative, d), excluded))
        for name in sorted(files):
            path = current_path / name
            relative = _join(current_relative, name)
            if not path_matches(name, include) or path_matches(relative, excluded):
                continue
            try:
                mode = path.stat().st_mode
            except OSError as error:
                yield Discovered(path, relative, f"cannot access: {error.strerror or error}")
                continue
            if stat.S_ISREG(mode):
                yield Discovered(path, relative)
            else:
                yield Discovered(path, relative, "not a regular file (a FIFO, socket or device)")
    for leftover in errors:
        yield _folder_problem(leftover, str(folder), root)


def _join(folder: str, name: str) -> str:
    return name if folder in ("", ".") else f"{folder}/{name}"


def _folder_problem(error: OSError, fallback: str, root: Path) -> Discovered:
    failed = Path(error.filename or fallback)
    return Discovered(failed, _relative(failed, root), f"cannot read folder: {error.strerror}")

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
from validator.stamp import Stamp

__all__ = ["Discovered", "Stamp", "discover"]


@dataclass(frozen=True)
class Discovered:
    path: Path
    relative: str  # relative to the config root, for globs
    problem: str | None = None
    stamp: Stamp | None = None  # from the folder walk, when it had to stat the file anyway


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return path.as_posix().lstrip("/")


def file_relative(path: Path, root: Path) -> str:
    """A named file's path relative to root as a walk finds it: its folder resolved, its own
    name kept, so that a symlink is matched (overrides, cache key) by its own path, not its
    target's."""
    if path.name in ("", ".", ".."):
        return _relative(path, root)
    return _join(_relative(path.parent, root), path.name)


def discover(
    paths: list[Path],
    root: Path,
    include: list[str],
    exclude: list[str],
    force_exclude: bool = False,
) -> Iterator[Discovered]:
    """``force_exclude``: a named file that an exclude glob matches is left out too (by
    default a file named on the command line is always checked)."""
    excluded = [*DEFAULT_EXCLUDE, *exclude]
    if len(paths) == 1:  # one walk yields each file once: no set that grows with the corpus
        yield from _expand(paths[0], root, include, excluded, force_exclude)
        return
    seen: set[str] = set()
    for given in paths:
        for item in _expand(given, root, include, excluded, force_exclude):
            # Absolute: one file named as news/a.md and as /abs/news/a.md is checked once.
            key = os.path.abspath(item.path)
            if key not in seen:
                seen.add(key)
                yield item


def _expand(
    given: Path, root: Path, include: list[str], excluded: list[str], force_exclude: bool
) -> Iterator[Discovered]:
    relative = file_relative(given, root)
    if force_exclude and not given.is_dir() and path_matches(relative, excluded):
        return
    try:
        mode = given.stat().st_mode
    except FileNotFoundError:
        yield Discovered(given, relative, "no such file or folder")
        return
    except OSError as error:
        yield Discovered(given, relative, f"cannot access: {error.strerror}")
        return
    if stat.S_ISDIR(mode):
        yield from _walk(given, root, include, excluded)
    elif stat.S_ISREG(mode):
        yield Discovered(given, relative)
    else:
        yield Discovered(given, relative, "not a regular file (a FIFO, socket or device)")


def _walk(
    folder: Path, root: Path, include: list[str], excluded: list[str]
) -> Iterator[Discovered]:
    """Files under folder, sorted, top-down (as os.walk gives them). Symlinked folders are
    not followed, so a symlink loop cannot trap the walk; one stat per file."""
    by_name, by_path = _split_include(include)
    pending = [(folder, _relative(folder, root))]
    while pending:
        current, current_relative = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            yield _folder_problem(error, str(current), root)
            continue
        subfolders = []
        for entry in entries:
            relative = _join(current_relative, entry.name)
            if _is_folder(entry):
                if not entry.is_symlink() and not path_matches(relative, excluded):
                    subfolders.append((current / entry.name, relative))
                continue
            if not _included(entry.name, relative, by_name, by_path) or path_matches(
                relative, excluded
            ):
                continue
            path = current / entry.name
            try:
                status = entry.stat()
            except OSError as error:
                yield Discovered(path, relative, f"cannot access: {error.strerror or error}")
                continue
            if stat.S_ISREG(status.st_mode):
                yield Discovered(path, relative, stamp=Stamp.of(status))
            else:
                yield Discovered(path, relative, "not a regular file (a FIFO, socket or device)")
        pending.extend(reversed(subfolders))


def _split_include(include: list[str]) -> tuple[list[str], list[str]]:
    """Include globs without a '/' (matched against a file's name) and with one (matched
    against its path relative to the configuration, as exclude and override globs are)."""
    by_name = [p for p in include if "/" not in p.strip().removeprefix("./").rstrip("/")]
    by_path = [p for p in include if p not in by_name]
    return by_name, by_path


def _included(name: str, relative: str, by_name: list[str], by_path: list[str]) -> bool:
    return path_matches(name, by_name) or (bool(by_path) and path_matches(relative, by_path))


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # as os.walk: what cannot be told a folder is taken for a file
        return False


def _join(folder: str, name: str) -> str:
    return name if folder in ("", ".") else f"{folder}/{name}"


def _folder_problem(error: OSError, fallback: str, root: Path) -> Discovered:
    failed = Path(error.filename or fallback)
    return Discovered(failed, _relative(failed, root), f"cannot read folder: {error.strerror}")

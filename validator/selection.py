"""Which rules run on which file, at which severity, with which options.

Kept apart from running (as flake8 keeps its style guide apart): select/ignore by family,
slug or code, per-rule severity and options, and per-path overrides.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from validator.config import Config, ConfigError, Override
from validator.findings import Severity
from validator.registry import Registry
from validator.rule import Rule, option_files


@lru_cache(maxsize=256)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """A glob over '/'-separated relative paths: `**` spans folders, `*` stays in one.
    A pattern without '/' matches at any depth; a match on a folder covers what is inside."""
    pattern = pattern.strip().removeprefix("./").rstrip("/")
    if "/" not in pattern and not pattern.startswith("**"):
        pattern = "**/" + pattern
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + "(?:/.*)?")


@lru_cache(maxsize=64)
def _any_of(patterns: tuple[str, ...]) -> re.Pattern[str]:
    # One scan per path instead of one per pattern: discovery asks this of every file.
    return re.compile("|".join(f"(?:{glob_to_regex(p).pattern})" for p in patterns) or "(?!)")


def path_matches(relative_path: str, patterns: Iterable[str]) -> bool:
    return _any_of(tuple(patterns)).fullmatch(relative_path) is not None


def selector_matches(selector: str, rule: type[Rule]) -> bool:
    selector = selector.strip()
    if selector.upper() == "ALL":
        return True
    if "/" in selector:
        return selector == rule.slug
    return selector == rule.slug.split("/", 1)[0] or selector.upper() == rule.code


def _matches_any(selectors: Iterable[str], rule: type[Rule]) -> bool:
    return any(selector_matches(selector, rule) for selector in selectors)


def check_selectors(selectors: Iterable[str], registry: Registry, where: str) -> None:
    for selector in selectors:
        if not any(selector_matches(selector, rule) for rule in registry.rules.values()):
            families = ", ".join(sorted(registry.families))
            raise ConfigError(
                f"{where}: {selector!r} names no rule; use a family ({families}), a slug "
                "such as body/missing, or a code (see `newslint rules`)"
            )


@dataclass(frozen=True)
class ActiveRule:
    rule: Rule
    severity: Severity


class Selection:
    """Turns config plus command-line choices into the rule set for each path."""

    def __init__(
        self,
        config: Config,
        registry: Registry,
        cli_select: list[str] | None = None,
        cli_ignore: list[str] | None = None,
        source: str = "configuration",
        root: Path | None = None,
    ) -> None:
        self.registry = registry
        self.config = config
        self.root = root  # relative paths in rule options are taken from here
        self.source = source
        self.select = cli_select if cli_select else config.select
        # The command line's --select is a final filter: an override's select narrows
        # within it, never widens it (its --ignore, added to every ignore list, is final too).
        self.cli_select = cli_select or None
        self.ignore = [*config.ignore, *(cli_ignore or [])]
        check_selectors(self.select or [], registry, "select")
        check_selectors(self.ignore, registry, "ignore")
        self._validate_rule_tables(config.severity, config.rules, "")
        for number, override in enumerate(config.overrides):
            where = f"overrides[{number}]"
            if override.select == []:  # an empty select would otherwise mean every rule
                raise ConfigError(
                    f"{source}: {where}.select: an empty list selects no rule; to turn "
                    'every rule off for these paths, use ignore = ["ALL"]'
                )
            check_selectors(override.select or [], registry, f"{where}.select")
            check_selectors(override.ignore, registry, f"{where}.ignore")
            self._validate_rule_tables(override.severity, override.rules, f"{where}.")
        self._cache: dict[tuple[int, ...], list[ActiveRule]] = {}
        self._fingerprints: dict[tuple[int, ...], str] = {}

    def _validate_rule_tables(
        self, severity: dict[str, Severity], options: dict[str, dict[str, Any]], where: str
    ) -> None:
        for name in severity:
            if self.registry.resolve(name) is None:
                raise ConfigError(f"{self.source}: {where}severity: no rule {name!r}")
        for name, values in options.items():
            rule = self.registry.resolve(name)
            if rule is None:
                raise ConfigError(f"{self.source}: {where}rules: no rule {name!r}")
            self._build_options(rule, values, f"{where}rules.{name}")

    def _build_options(self, rule: type[Rule], values: dict[str, Any], where: str) -> Any:
        try:
            return rule.Options.model_validate(values, context={"root": self.root})
        except ValidationError as error:
            details = "; ".join(
                f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in error.errors()
            )
            raise ConfigError(f"{self.source}: {where}: {details}") from None

    def fingerprint_for(self, relative_path: str) -> str:
        """What decides this path's findings: each active rule's slug, version, severity
        and options, and the contents of files its options name (for the result cache)."""
        key = self.overrides_for(relative_path)
        if key not in self._fingerprints:
            parts = [
                f"{a.rule.slug}@{a.rule.version}:{a.severity.value}:"
                f"{a.rule.options.model_dump_json()}"
                + "".join(f":{_file_digest(path)}" for path in option_files(a.rule.options))
                for a in self.rules_for(relative_path)
            ]
            self._fingerprints[key] = hashlib.sha256("|".join(parts).encode()).hexdigest()
        return self._fingerprints[key]

    def overrides_for(self, relative_path: str) -> tuple[int, ...]:
        return tuple(
            number
            for number, override in enumerate(self.config.overrides)
            if path_matches(relative_path, override.paths)
        )

    def rules_for(self, relative_path: str) -> list[ActiveRule]:
        key = self.overrides_for(relative_path)
        if key not in self._cache:
            self._cache[key] = self._build([self.config.overrides[n] for n in key])
        return self._cache[key]

    def _build(self, overrides: list[Override]) -> list[ActiveRule]:
        select = self.select
        ignore = list(self.ignore)
        severity = dict(self.config.severity)
        options: dict[str, dict[str, Any]] = {
            self._slug(k): dict(v) for k, v in self.config.rules.items()
        }
        for override in overrides:
            if override.select is not None:
                select = override.select
            ignore.extend(override.ignore)
            severity.update(override.severity)
            for name, values in override.rules.items():
                options.setdefault(self._slug(name), {}).update(values)
        severity = {self._slug(k): v for k, v in severity.items()}
        active = []
        for slug, rule_class in self.registry.rules.items():
            if select and not _matches_any(select, rule_class):
                continue
            if self.cli_select and not _matches_any(self.cli_select, rule_class):
                continue
            if _matches_any(ignore, rule_class):
                continue
            rule_options = self._build_options(rule_class, options.get(slug, {}), f"rules.{slug}")
            active.append(
                ActiveRule(rule_class(rule_options), severity.get(slug, rule_class.severity))
            )
        return active

    def _slug(self, name: str) -> str:
        rule = self.registry.resolve(name)
        assert rule is not None  # validated in __init__
        return rule.slug


def _file_digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as error:
        return f"unreadable ({error.strerror})"  # the rule reports it; a fix changes the key

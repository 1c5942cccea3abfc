"""Find rules through the ``newslint.rules`` entry points, built-in ones included.

A pipeline of small steps, as in flake8's plugin finder: list the entry points, load each,
check what it provides, and refuse slugs or codes that two rules claim.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points

from validator.rule import CODE_PATTERN, SLUG_PATTERN, Rule

ENTRY_POINT_GROUP = "newslint.rules"
_REQUIRED = ("slug", "code", "severity", "summary", "what", "why", "bad", "good")


class PluginError(Exception):
    """A rule plugin could not be loaded or conflicts with another; names the entry point."""


@dataclass(frozen=True)
class Registry:
    rules: dict[str, type[Rule]]  # by slug, sorted by slug
    sources: dict[str, str]  # slug -> entry point that provided it

    @property
    def families(self) -> set[str]:
        return {slug.split("/", 1)[0] for slug in self.rules}

    @property
    def time_dependent(self) -> frozenset[str]:
        """Slugs of the rules whose findings can come and go with the date alone: such
        findings are neither cached nor replayed."""
        return frozenset(slug for slug, rule in self.rules.items() if rule.depends_on_time)

    def by_code(self, code: str) -> type[Rule] | None:
        for rule in self.rules.values():
            if rule.code == code.upper():
                return rule
        return None

    def resolve(self, name: str) -> type[Rule] | None:
        """A rule by slug or code."""
        return self.rules.get(name) or self.by_code(name)


def find_entry_points() -> list[EntryPoint]:
    return sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: (ep.name, ep.value))


def load_entry_point(entry_point: EntryPoint) -> list[type[Rule]]:
    label = f"{entry_point.name} = {entry_point.value}"
    try:
        provided = entry_point.load()
    except Exception as error:  # a broken plugin must name itself, not crash the run
        raise PluginError(
            f"rule plugin '{label}' failed to load: {type(error).__name__}: {error}"
        ) from error
    items: Iterable[object] = provided if isinstance(provided, (list, tuple)) else [provided]
    rules = []
    for item in items:
        if not (inspect.isclass(item) and issubclass(item, Rule)):
            raise PluginError(
                f"rule plugin '{label}' provides {item!r}, which is not a newslint Rule class"
            )
        validate_rule_class(item, label)
        rules.append(item)
    return rules


def validate_rule_class(rule: type[Rule], label: str) -> None:
    missing = [name for name in _REQUIRED if not hasattr(rule, name)]
    if missing:
        raise PluginError(f"rule {rule.__name__} from '{label}' lacks {', '.join(missing)}")
    if not SLUG_PATTERN.match(rule.slug):
        raise PluginError(
            f"rule {rule.__name__} from '{label}' has slug {rule.slug!r}; "
            "slugs look like 'family/name' in lower-case kebab-case"
        )
    if not CODE_PATTERN.match(rule.code):
        raise PluginError(
            f"rule {rule.slug} from '{label}' has code {rule.code!r}; "
            "codes are 2-4 capitals and 3 digits, e.g. BD001"
        )


def build_registry(found: Iterable[tuple[str, type[Rule]]]) -> Registry:
    rules: dict[str, type[Rule]] = {}
    sources: dict[str, str] = {}
    codes: dict[str, str] = {}
    for label, rule in found:
        if rule.slug in rules and rules[rule.slug] is not rule:
            raise PluginError(
                f"rule slug {rule.slug!r} is claimed by both '{sources[rule.slug]}' and "
                f"'{label}'; uninstall one of the plugins or rename the rule"
            )
        if rule.code in codes and codes[rule.code] != rule.slug:
            raise PluginError(
                f"rule code {rule.code} is claimed by both {codes[rule.code]} and "
                f"{rule.slug} (from '{label}'); codes must be unique"
            )
        rules[rule.slug] = rule
        sources[rule.slug] = label
        codes[rule.code] = rule.slug
    ordered = dict(sorted(rules.items()))
    return Registry(ordered, sources)


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    found: list[tuple[str, type[Rule]]] = []
    for entry_point in find_entry_points():
        label = f"{entry_point.name} = {entry_point.value}"
        found.extend((label, rule) for rule in load_entry_point(entry_point))
    if not found:
        raise PluginError(
            "no newslint rules are registered: newslint must be installed (pip install .) "
            "so that its entry points exist"
        )
    return build_registry(found)

"""The contract every rule module follows, built-in or plugin."""

from __future__ import annotations

import abc
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationInfo

from validator.findings import Problem, Severity
from validator.records import Record

if TYPE_CHECKING:
    from validator.summary import RecordSummary

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]*/[a-z][a-z0-9-]*$")
CODE_PATTERN = re.compile(r"^[A-Z]{2,4}[0-9]{3}$")


class RuleOptions(BaseModel):
    """Base for a rule's options: kebab-case keys in config, unknown keys refused."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        alias_generator=lambda name: name.replace("_", "-"),
    )


def config_relative(value: str | None, info: ValidationInfo) -> str | None:
    """A path from a rule's options, taken relative to the configuration file's folder.
    Use as an ``AfterValidator`` of a str option that names a file."""
    root = (info.context or {}).get("root") if info.context else None
    if value is None or root is None or Path(value).is_absolute():
        return value
    return str(Path(root) / value)


def option_files(options: RuleOptions) -> list[str]:
    """The files an options object names through ``config_relative`` fields: their contents
    decide findings as much as the options do (a phrase pack, a learned-lines table)."""
    named: list[str] = []
    for name, info in type(options).model_fields.items():
        if not (_marks_file(info.metadata) or _names_file_inside(info.annotation)):
            continue
        value = getattr(options, name)
        values = value if isinstance(value, (list, tuple)) else [value]
        named.extend(item for item in values if isinstance(item, str))
    return named


def _marks_file(metadata: Iterable[Any]) -> bool:
    return any(getattr(item, "func", None) is config_relative for item in metadata)


def _names_file_inside(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        return _marks_file(metadata) or _names_file_inside(base)
    return any(_names_file_inside(argument) for argument in get_args(annotation))


class NoOptions(RuleOptions):
    pass


@dataclass(frozen=True)
class CheckContext:
    """What a rule may know besides the record: run-wide inputs, prepared once per run.

    Rules never read files or the network themselves; what they need arrives here.
    """

    record_schema: Any = None  # a validator.schema.RecordSchema (iter_errors)
    secured_key: bytes | None = field(default=None, repr=False)
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    online: Any = None  # online-check settings (validator.online), set only with --online
    cache_dir: Path | None = None  # where rules may keep caches of their own (online results)


class Rule(abc.ABC):
    """A rule: a stable slug and code, a default severity, a card, options and ``check``.

    Subclasses set the class attributes and implement ``check``, yielding Problems.
    ``needs`` says what the record must have for the rule to run: "data" (front matter
    or JSON fields), "body", or "record" (anything readable; input/ rules use "any").
    """

    slug: ClassVar[str]
    code: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    what: ClassVar[str]
    why: ClassVar[str]
    bad: ClassVar[str]
    good: ClassVar[str]
    needs: ClassVar[str] = "data"
    # Bump when a rule's findings change for the same input: cached results are then redone.
    version: ClassVar[str] = "1"
    fixable: ClassVar[bool] = False
    # True when a finding may come and go with the time of the check alone (a date "in the
    # future"): such findings are neither cached nor replayed.
    depends_on_time: ClassVar[bool] = False
    Options: ClassVar[type[RuleOptions]] = NoOptions

    def __init__(self, options: RuleOptions | None = None) -> None:
        self.options = options if options is not None else self.Options()

    @property
    def family(self) -> str:
        return self.slug.split("/", 1)[0]

    def applies_to(self, record: Record) -> bool:
        if self.needs == "any":
            return True
        if not record.readable:
            return False
        if self.needs == "data":
            return record.data is not None
        if self.needs == "body":
            return True
        return True

    @abc.abstractmethod
    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        """Yield the record's problems; never read files, print or reach the network."""

    @classmethod
    def card(cls) -> str:
        """The rule's documentation card (the shape of ruff's rule docs)."""
        options = _describe_options(cls.Options)
        parts = [
            f"# {cls.slug} ({cls.code})",
            "",
            f"Default severity: {cls.severity.value}" + ("  ·  fixable" if cls.fixable else ""),
            "",
            "## What it checks",
            cls.what.strip(),
            "",
            "## Why it matters",
            cls.why.strip(),
            "",
            "## Example",
            _indent(cls.bad.strip("\n")),
            "",
            "## Use instead",
            _indent(cls.good.strip("\n")),
        ]
        if options:
            parts += ["", "## Options", *options]
        return "\n".join(parts) + "\n"


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.split("\n"))


def _describe_options(model: type[RuleOptions]) -> list[str]:
    lines = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        description = f": {info.description}" if info.description else ""
        lines.append(f"- `{key}` (default {info.default!r}){description}")
    return lines


@dataclass(frozen=True)
class CorpusProblem:
    """What a corpus rule reports: a record (by path and index) and what is wrong with it."""

    path: str
    record: int
    message: str
    pointer: str = ""


class CorpusRule(Rule):
    """A rule over the whole corpus (duplicates, dangling related links), run by
    `newslint report` after every record was checked. It sees RecordSummary objects
    (validator.summary), never files; `newslint check` on single files does not run it."""

    needs = "corpus"
    # An online rule reaches the network; it runs only with --online (check and report).
    online: ClassVar[bool] = False

    def applies_to(self, record: Record) -> bool:
        return False

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        return ()

    @abc.abstractmethod
    def check_corpus(
        self, summaries: Sequence[RecordSummary], context: CheckContext
    ) -> Iterable[CorpusProblem]:
        """Yield problems found across records."""

"""Wiring between parsed options and the engine: config, rules, schema and key, once per run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from validator import __version__
from validator.config import ConfigError, LoadedConfig, load_config
from validator.engine import CheckRequest, RunResult, run_check
from validator.load import InputLimits
from validator.load.yaml_tree import YamlLimits
from validator.registry import Registry, default_registry
from validator.report import REPORTERS, ReportContext
from validator.report.text import summary_line
from validator.rule import CheckContext
from validator.schema import compile_schema
from validator.selection import Selection

KEY_ENV = "NEWSLINT_SECURED_KEY"


@dataclass
class CheckOptions:
    """The parse result of `newslint check`: plain values, no behaviour."""

    paths: list[Path] = field(default_factory=lambda: [Path(".")])
    output_format: str = "text"
    output: Path | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: str | None = None
    config: Path | None = None
    use_cache: bool = True
    secured_key_file: Path | None = None
    color: bool = False


@dataclass
class CheckRun:
    result: RunResult
    fail_on: str
    registry: Registry

    @property
    def exit_code(self) -> int:
        return self.result.exit_code(self.fail_on)

    def summary(self) -> str:
        return summary_line(self._context())

    def _context(self, color: bool = False) -> ReportContext:
        return ReportContext(self.result, self.registry, __version__, self.fail_on, color)

    def render(self, output_format: str, color: bool = False) -> str:
        return REPORTERS[output_format](self._context(color))


def _read_key(options: CheckOptions, loaded: LoadedConfig) -> bytes | None:
    from rules.secured import SecuredKeyError, parse_key

    key_file = options.secured_key_file
    if key_file is None and loaded.config.secured_key_file:
        key_file = loaded.root / loaded.config.secured_key_file
    try:
        if key_file is not None:
            try:
                text = key_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise ConfigError(
                    f"{key_file}: cannot read the secured key file: {error}"
                ) from None
            return parse_key(text, str(key_file))
        if os.environ.get(KEY_ENV):
            return parse_key(os.environ[KEY_ENV], KEY_ENV)
    except SecuredKeyError as error:
        raise ConfigError(str(error)) from None
    return None


def prepare(options: CheckOptions) -> tuple[CheckRequest, str, Registry]:
    loaded = load_config(options.config, options.paths)
    config = loaded.config
    registry = default_registry()
    source = str(loaded.source) if loaded.source else "command line"
    selection = Selection(config, registry, options.select or None, options.ignore, source)
    schema_path = str(loaded.root / config.schema_) if config.schema_ else None
    limits = config.limits
    request = CheckRequest(
        paths=options.paths,
        root=loaded.root,
        selection=selection,
        context=CheckContext(
            record_schema=compile_schema(schema_path), secured_key=_read_key(options, loaded)
        ),
        limits=InputLimits(
            max_file_bytes=limits.max_file_bytes,
            max_front_matter_bytes=limits.max_front_matter_bytes,
            yaml=YamlLimits(limits.max_depth, limits.max_aliases, limits.max_nodes),
        ),
        include=config.include,
        exclude=config.exclude,
    )
    return request, options.fail_on or config.fail_on, registry


def check(options: CheckOptions) -> CheckRun:
    request, fail_on, registry = prepare(options)
    return CheckRun(run_check(request), fail_on, registry)

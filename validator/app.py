"""Wiring between parsed options and the engine: config, rules, schema and key, once per run."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from validator import __version__
from validator.cache import Cache
from validator.config import ConfigError, LoadedConfig, load_config
from validator.engine import CheckRequest, RunResult, run_check
from validator.load import InputLimits
from validator.load.source import YamlLimits
from validator.registry import Registry, default_registry
from validator.report import REPORTERS, ReportContext, writer
from validator.report.text import summary_line
from validator.rule import CheckContext
from validator.runner import default_jobs
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
    jobs: int | None = None  # None: every core this process may use
    summaries: bool = False  # collect record summaries (the audit's corpus rules need them)
    online: bool = False  # run the online rules (links, image sizes) after the offline checks
    image_dir: Path | None = None  # with online: read images from here instead of fetching
    engine: str = "local"  # "local" (this machine's processes) or "ray"
    ray_address: str | None = None  # with engine "ray": None is RAY_ADDRESS, else a local Ray
    force_exclude: bool = False  # the exclude globs apply to named files too
    # False when nothing needs the files' SHA-256: no result cache, no --fix or --diff.
    file_digests: bool = True


@dataclass
class CheckRun:
    result: RunResult
    fail_on: str
    registry: Registry
    notes: list[str] = field(default_factory=list)  # things the user should know (stderr)
    cache_hits: int = 0
    cache_misses: int = 0

    @property
    def exit_code(self) -> int:
        return self.result.exit_code(self.fail_on)

    def summary(self) -> str:
        return summary_line(self.report_context())

    def report_context(self, color: bool = False) -> ReportContext:
        return ReportContext(self.result, self.registry, __version__, self.fail_on, color)

    def render(self, output_format: str, color: bool = False) -> str:
        return REPORTERS[output_format](self.report_context(color))

    def write(self, output_format: str, out: TextIO, color: bool = False) -> None:
        writer(output_format)(self.report_context(color), out)


def _read_key(options: CheckOptions, loaded: LoadedConfig) -> bytes | None:
    from rules.secured import SecuredKeyError, parse_key, read_key_file

    key_file = options.secured_key_file
    if key_file is None and loaded.config.secured_key_file:
        key_file = loaded.root / loaded.config.secured_key_file
    try:
        if key_file is not None:  # bounded read; no message quotes the file's bytes
            return parse_key(read_key_file(key_file), str(key_file))
        if os.environ.get(KEY_ENV):
            return parse_key(os.environ[KEY_ENV], KEY_ENV)
    except SecuredKeyError as error:
        raise ConfigError(str(error)) from None
    return None


def build_worker_request(options: CheckOptions) -> CheckRequest:
    """The request a worker process rebuilds for itself: same settings, no pool, no cache."""
    return prepare(replace(options, jobs=1, use_cache=False, engine="local"))[0]


def _settings_fingerprint(
    schema: Any, limits: InputLimits, key: bytes | None, record_seconds: float
) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(schema.schema, sort_keys=True, default=str).encode())
    digest.update(repr((limits, record_seconds)).encode())
    if key is not None:  # a one-way marker of which key was used; never the key itself
        digest.update(hashlib.sha256(b"newslint-secured-key:" + key).digest())
    return digest.hexdigest()


def _open_cache(options: CheckOptions, loaded: LoadedConfig, notes: list[str]) -> Cache | None:
    if not options.use_cache:
        return None
    folder = loaded.root / (loaded.config.cache_dir or ".newslint_cache")
    try:
        return Cache(folder, notes)  # a failure later in the run is noted there too
    except (OSError, sqlite3.Error) as error:
        notes.append(f"result cache disabled: cannot use {folder}: {error}")
        return None


def _online_settings(config: Any, loaded: LoadedConfig, options: CheckOptions) -> Any:
    from validator.online.settings import parse_online_settings

    return parse_online_settings(
        config.online,
        str(loaded.source or "configuration"),
        loaded.root,
        options.image_dir,
        options.use_cache,
    )


def prepare(options: CheckOptions) -> tuple[CheckRequest, str, Registry]:
    if options.engine == "ray":
        from validator.ray_engine import require_ray

        require_ray()
    loaded = load_config(options.config, options.paths)
    config = loaded.config
    registry = default_registry()
    source = str(loaded.source) if loaded.source else "command line"
    selection = Selection(
        config, registry, options.select or None, options.ignore, source, loaded.root
    )
    schema_path = str(loaded.root / config.schema_) if config.schema_ else None
    limits = config.limits
    schema = compile_schema(schema_path)
    key = _read_key(options, loaded)
    input_limits = InputLimits(
        max_file_bytes=limits.max_file_bytes,
        max_line_bytes=limits.max_line_bytes,
        max_front_matter_bytes=limits.max_front_matter_bytes,
        yaml=YamlLimits(limits.max_depth, limits.max_aliases, limits.max_nodes),
    )
    notes: list[str] = []
    request = CheckRequest(
        paths=options.paths,
        root=loaded.root,
        selection=selection,
        context=CheckContext(
            record_schema=schema,
            secured_key=key,
            online=_online_settings(config, loaded, options) if options.online else None,
            cache_dir=loaded.root / (config.cache_dir or ".newslint_cache"),
        ),
        limits=input_limits,
        include=config.include,
        exclude=config.exclude,
        force_exclude=options.force_exclude,
        record_seconds=limits.record_seconds,
        settings_fingerprint=_settings_fingerprint(
            schema, input_limits, key, limits.record_seconds
        ),
        jobs=options.jobs if options.jobs is not None else default_jobs(),
        engine=options.engine,
        ray_address=options.ray_address,
        cache=_open_cache(options, loaded, notes),
        file_digests=options.file_digests,
        collect_summaries=options.summaries,
        worker_spec=options,
        worker_factory=build_worker_request,
        notes=notes,
    )
    return request, options.fail_on or config.fail_on, registry


def check(options: CheckOptions) -> CheckRun:
    if options.online:
        options = replace(options, summaries=True)
    request, fail_on, registry = prepare(options)
    cache = request.cache
    try:
        result = run_check(request)
    finally:
        if cache is not None:
            cache.close()
    if options.online:
        from validator.corpus_phase import add_corpus_findings, corpus_rules

        add_corpus_findings(result, corpus_rules(request, online=True, offline=False), request)
    if not len(result.files):  # a walk that found nothing: say so, a passing gate may be wrong
        request.notes.append(
            f"no record files found in {', '.join(str(p) for p in options.paths)}: nothing "
            f"was checked (files are included by {', '.join(request.include)}; see the "
            "include and exclude settings)"
        )
    run = CheckRun(result, fail_on, registry, request.notes)
    if cache is not None:
        run.cache_hits, run.cache_misses = cache.hits, cache.misses
        if not cache.usable:  # the next run may find it usable again: not a replay's answer
            _not_for_replay("the result cache failed during the run")
    return run


def _not_for_replay(reason: str) -> None:
    from validator import replay

    recorder = replay.recorder()
    if recorder is not None:
        recorder.refuse(reason)

"""The command line: declares options, hands them to validator.app, prints, exits."""

from __future__ import annotations

import contextlib
import difflib
import os
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

import click

from validator import __version__, replay
from validator.app import CheckOptions, CheckRun, check
from validator.config import ConfigError
from validator.registry import PluginError, Registry, default_registry
from validator.report import FORMATS

EXAMPLES = """
\b
Examples:
  newslint check seeds/                      check a folder (text report)
  newslint check news/ --format sarif -o newslint.sarif
  newslint check --select body,image --fail-on warning a.md b.md
  newslint check --diff scraped/             show what --fix would remove
  newslint check --fix scraped/              remove boilerplate lines in place
  newslint check --engine ray news/          run the checks on Ray (RAY_ADDRESS, or local)
  newslint baseline news/ -o .newslint-baseline.json
  newslint check --baseline .newslint-baseline.json news/   fail only on new findings
  newslint report news/ --html r.html --json r.json --markdown r.md
  newslint learn-boilerplate corpus/ -o boilerplate.newslint.json
  newslint rules                             list every rule
  newslint explain body/missing              print a rule's card
"""


# Each command's own examples and what its exit code means (shown under its --help).
BASELINE_HELP = """
\b
Examples:
  newslint baseline news/                    write .newslint-baseline.json
  newslint baseline news/ -o ci/baseline.json --select body,image
  newslint check --baseline ci/baseline.json news/   then fail only on new findings

\b
Exit status: 0 the baseline was written, 2 a usage or configuration error, or a
rule crash or time-out (nothing is written: the baseline would miss findings).
"""

REPORT_HELP = """
\b
Examples:
  newslint report news/ --html report.html   a page to open in a browser
  newslint report news/ --markdown summary.md --no-progress   for a CI job summary
  newslint report news/ --json r.json --no-history --fail-on error

\b
Exit status: 0 nothing at or above --fail-on (default never), 1 findings at or
above it, 2 a usage or configuration error, a rule crash or a bug in newslint.
"""

RULES_HELP = """
\b
Examples:
  newslint rules                             list every rule
  newslint rules body/missing                print one rule's card (as explain)
  newslint rules | grep fixable

\b
Exit status: 0 printed, 2 no such rule (close names are suggested).
"""

EXPLAIN_HELP = """
\b
Examples:
  newslint explain body/missing              by slug
  newslint explain BD001                     by code (any case)

\b
Exit status: 0 printed, 2 no such rule (close names are suggested).
"""

LEARN_HELP = """
\b
Examples:
  newslint learn-boilerplate corpus/ -o boilerplate.newslint.json
  newslint learn-boilerplate a/ b/ -o boilerplate.newslint.json --min-records 10

\b
Exit status: 0 the table was written, 2 a usage error (a path that does not
exist, an output that cannot be written).
"""

GROUP_EXIT = """
\b
Exit status: 0 clean, 1 findings at or above --fail-on, 2 a usage or
configuration error, a rule crash or an internal error of newslint, 130
interrupted. `newslint COMMAND --help` shows each command's options.
"""


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _use_color(output: Path | None) -> bool:
    if output is not None or "NO_COLOR" in os.environ:
        return False
    return sys.stdout.isatty()


@click.group(epilog=EXAMPLES + GROUP_EXIT, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newslint")
def cli() -> None:
    """newslint: validate and lint news records (YAML front matter, JSON, JSON lines)."""


def run_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options every command that runs the checks shares (check, baseline, report)."""
    decorators = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option(
            "--select",
            multiple=True,
            metavar="RULES",
            help="Only these families, slugs or codes (comma-separated; repeatable).",
        ),
        click.option(
            "--ignore",
            multiple=True,
            metavar="RULES",
            help="Skip these families, slugs or codes (comma-separated; repeatable).",
        ),
        click.option(
            "--config",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Configuration file (default: nearest newslint.toml or pyproject.toml).",
        ),
        click.option("--no-cache", is_flag=True, help="Do not read or write the result cache."),
        click.option(
            "--force-exclude",
            is_flag=True,
            help="Apply the exclude globs to files named on the command line too, as when "
            "walking folders (for pre-commit, which names every staged file).",
        ),
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=1),
            metavar="N",
            help="Worker processes, or with --engine ray the CPUs of the local Ray "
            "[default: every available core].",
        ),
        click.option(
            "--engine",
            type=click.Choice(["local", "ray"]),
            default="local",
            show_default=True,
            help="Where the checks run: this machine's processes, or a Ray cluster (needs "
            "pip install 'newslint[ray]'); the findings are the same. "
            "Example: --engine ray --ray-address head.example:6379",
        ),
        click.option(
            "--ray-address",
            metavar="ADDRESS",
            help="With --engine ray, the cluster's head (host:port, or auto) whose nodes see "
            "the inputs at the same paths [default: RAY_ADDRESS, else a local Ray with --jobs "
            "CPUs, started and stopped by newslint].",
        ),
        click.option(
            "--online",
            is_flag=True,
            help="Also run the online checks: do links resolve, are images the size declared "
            "(opt-in; bounded, cached, private addresses refused).",
        ),
        click.option(
            "--image-dir",
            type=click.Path(path_type=Path, file_okay=False, exists=True),
            help="With --online, read images from this folder instead of fetching them "
            "(see the README for how URLs map to files).",
        ),
        click.option(
            "--secured-key-file",
            type=click.Path(path_type=Path, dir_okay=False),
            help="File holding the base64 AES key for secured blobs (or set NEWSLINT_SECURED_KEY).",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _refuse_idle_options(params: dict[str, Any]) -> None:
    """An option the others make meaningless is refused, not silently ignored: a user who
    gives --ray-address believes the run goes to that cluster."""
    if params["ray_address"] is not None and params["engine"] != "ray":
        raise click.UsageError(
            "--ray-address only applies with --engine ray: add --engine ray, or drop it"
        )
    if params["image_dir"] is not None and not params["online"]:
        raise click.UsageError(
            "--image-dir only applies with --online (the image-size checks): add --online, "
            "or drop it"
        )


def _options(params: dict[str, Any], **extra: Any) -> CheckOptions:
    _refuse_idle_options(params)
    output = extra.pop("output", None)
    return CheckOptions(
        paths=list(params["paths"]) or [Path(".")],
        select=_split(params["select"]),
        ignore=_split(params["ignore"]),
        config=params["config"],
        use_cache=not params["no_cache"],
        force_exclude=params["force_exclude"],
        jobs=params["jobs"],
        secured_key_file=params["secured_key_file"],
        online=params["online"],
        image_dir=params["image_dir"],
        engine=params["engine"],
        ray_address=params["ray_address"],
        output=output,
        color=_use_color(output),
        **extra,
    )


def _run(options: CheckOptions) -> CheckRun:
    try:
        run = check(options)
    except (ConfigError, PluginError) as error:
        raise click.UsageError(str(error)) from None
    for note in run.notes:
        click.echo(f"note: {note}", err=True)
    return run


def _unrepeatable(run: CheckRun) -> str | None:
    """Why a re-run over the same inputs could print something else (read before a baseline
    or --fix drops findings), or None."""
    if run.result.crashed or run.result.timed_out:
        return "a rule crashed or a file timed out, which may not happen again"
    timely = run.registry.time_dependent
    if timely and any(finding.rule in timely for finding in run.result.findings):
        return "a finding depends on the time of the check"
    return None


def _record(run: CheckRun, output: Path | None, unrepeatable: str | None) -> None:
    """Keep this check for a replay (validator.replay) when it may be kept."""
    recorder = replay.recorder()
    if recorder is None:
        return
    recorder.finish(
        run.exit_code,
        rule_modules={rule.__module__ for rule in run.registry.rules.values()},
        output_path=output,
        unrepeatable=unrepeatable,
    )


@cli.command("check", epilog=EXAMPLES, short_help="Check records in files and folders.")
@run_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to FILE instead of standard output.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    help="Lowest severity that makes the exit code 1 [default: error, or config].",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Report and fail only on findings not recorded in this baseline file.",
)
@click.option(
    "--fix",
    is_flag=True,
    help="Remove the body lines that fixable rules flag (boilerplate), atomically.",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Show what --fix would change, as a unified diff, without writing; "
    "exit 1 if it would change anything.",
)
def check_command(
    output_format: str,
    output: Path | None,
    fail_on: str | None,
    baseline: Path | None,
    fix: bool,
    diff: bool,
    **params: Any,
) -> None:
    """Check records in PATHS (files or folders; default: the current folder).

    Exit status: 0 nothing at or above --fail-on, 1 findings at or above it,
    2 a usage or configuration error, a rule crash or a bug in newslint; 130 interrupted.

    The same command run again with nothing changed (files, configuration, code,
    environment) prints the recorded result of the last run without checking again;
    NEWSLINT_NO_REPLAY=1 always checks.
    """
    options = _options(
        params,
        output_format=output_format,
        output=output,
        fail_on=fail_on,
        file_digests=not params["no_cache"] or fix or diff,
    )
    if diff and (fix or output is not None):
        raise click.UsageError(
            "--diff only shows what --fix would change and writes nothing: "
            "use it without --fix and -o"
        )
    if output is not None:
        _make_folder_for(output)
    known = _read_baseline(baseline) if baseline is not None else Counter[str]()
    run = _run(options)
    unrepeatable = _unrepeatable(run) if replay.recorder() is not None else None
    if diff:
        sys.exit(_show_diff(run))
    if fix:
        run = _apply_fixes(run, options)
    if baseline is not None:
        _apply_baseline(run, baseline, known)
    if output is not None:
        with _report_file(output) as stream:
            run.write(output_format, stream)
        click.echo(f"{run.summary()} (report: {output})", err=True)
    else:
        run.write(output_format, sys.stdout, options.color)
    _record(run, output, unrepeatable)
    sys.exit(run.exit_code)


def _make_folder_for(path: Path) -> None:
    """Make the folder a report will be written to, before the run: a CI step that names
    reports/newslint.sarif should not have to create reports/ first."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise click.UsageError(
            f"cannot make the folder for {path}: {error.strerror or error}"
        ) from None


@contextlib.contextmanager
def _report_file(path: Path) -> Iterator[TextIO]:
    """The report file opened for writing; one that cannot be written is a usage error
    (exit 2), never a traceback with the exit code of 'findings'."""
    try:
        stream = path.open("w", encoding="utf-8")
    except OSError as error:
        raise click.UsageError(f"cannot write {path}: {error.strerror or error}") from None
    with stream:
        yield stream


def _read_baseline(path: Path) -> Counter[str]:
    """The baseline, read before the check: a wrong one fails at once, not after the run."""
    from validator.baseline import BaselineError, read_baseline

    try:
        return read_baseline(path)
    except BaselineError as error:
        raise click.UsageError(str(error)) from None


def _apply_baseline(run: CheckRun, path: Path, known: Counter[str]) -> None:
    from validator.baseline import apply_baseline

    outcome = apply_baseline(run.result, known)
    click.echo(
        f"baseline {path}: {outcome.suppressed} known finding(s) not reported; "
        f"{outcome.fixed} baseline entr{'y is' if outcome.fixed == 1 else 'ies are'} fixed"
        + (" (run `newslint baseline` again to shrink it)" if outcome.fixed else ""),
        err=True,
    )


@cli.command("baseline", epilog=BASELINE_HELP, short_help="Record current findings as a baseline.")
@run_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path(".newslint-baseline.json"),
    show_default=True,
    help="Where to write the baseline.",
)
def baseline_command(output: Path, **params: Any) -> None:
    """Record the current findings of PATHS as a baseline.

    `newslint check --baseline FILE` then reports and fails only on new findings, so a
    corpus can adopt newslint before every old problem is fixed. Findings are matched by
    rule, path, record, JSON pointer and offending content - never by line number.
    """
    from validator.baseline import write_baseline

    _make_folder_for(output)
    run = _run(_options(params))
    _refuse_incomplete_baseline(run, output)
    try:
        count = write_baseline(run.result, output)
    except OSError as error:
        raise click.UsageError(f"cannot write {output}: {error.strerror or error}") from None
    click.echo(
        f"baseline: {count} finding(s) of {len(run.result.files)} file(s) written to {output}"
    )


def _refuse_incomplete_baseline(run: CheckRun, output: Path) -> None:
    """A baseline of a run where a rule crashed or a file timed out misses findings and would
    hide the crash from later checks: say where it happened, write nothing, exit 2."""
    if not (run.result.crashed or run.result.timed_out):
        return
    for finding in run.result.findings:
        if finding.rule.startswith("internal/"):
            click.echo(f"{finding.path}:{finding.line}: {finding.message}", err=True)
    click.echo(
        f"baseline not written to {output}: a rule crashed or a file timed out, so it would "
        "miss findings; fix or --ignore that rule (see `newslint check`) and run it again",
        err=True,
    )
    sys.exit(2)


def _show_diff(run: CheckRun) -> int:
    """Exit status: 2 if a rule crashed or a file timed out (the diff may miss lines), 1 if
    --fix would change something or fixable findings need a person, else 0."""
    from validator.fix import plan_fixes, unified_diff

    outcome = plan_fixes(run.result, run.registry)
    for plan in outcome.plans:
        click.echo(unified_diff(plan), nl=False)
    for reason in outcome.skipped:
        click.echo(f"not fixable: {reason}", err=True)
    click.echo(
        f"--fix would remove {_lines_in_files(outcome.lines_removed, len(outcome.plans))}", err=True
    )
    if run.result.crashed or run.result.timed_out:
        click.echo("a rule crashed or a file timed out: the diff may be incomplete", err=True)
        return 2
    return 1 if outcome.plans or outcome.skipped else 0


MAX_FIX_ROUNDS = 5  # a removal can make a fixable finding (two captions now side by side)


def _apply_fixes(run: CheckRun, options: CheckOptions) -> CheckRun:
    """Fix, then check again, until nothing fixable is left (at most MAX_FIX_ROUNDS); the run
    returned is the last check, so the report gives the lines of the files as they are now."""
    from validator.fix import apply_fixes, plan_fixes

    removed, fixed_files = 0, set[str]()
    said: dict[str, None] = {}  # what was not fixed, in order, each said once
    for _ in range(MAX_FIX_ROUNDS):
        outcome = plan_fixes(run.result, run.registry)
        for problem in apply_fixes(outcome):
            said.setdefault(f"not fixed: {problem}")
        for reason in outcome.skipped:
            said.setdefault(f"not fixable: {reason}")
        if not outcome.plans:
            break
        removed += outcome.lines_removed
        fixed_files.update(plan.path for plan in outcome.plans)
        run = check(options)
    for line in said:
        click.echo(line, err=True)
    click.echo(f"fixed: removed {_lines_in_files(removed, len(fixed_files))}", err=True)
    return run


def _lines_in_files(lines: int, files: int) -> str:
    return f"{lines} line{'s' if lines != 1 else ''} in {files} file{'s' if files != 1 else ''}"


@cli.command("report", epilog=REPORT_HELP, short_help="Audit a corpus: stats, trends, HTML.")
@run_options
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a self-contained HTML report (charts, filterable table, rule cards).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the JSON report with its stats and history sections.",
)
@click.option(
    "--markdown",
    "markdown_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a Markdown summary (for a CI job summary or a PR comment).",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="SQLite history to read trends from and append this run to "
    "[default: .newslint/history.sqlite beside the configuration].",
)
@click.option("--no-history", is_flag=True, help="Neither read nor write the history.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default="never",
    show_default=True,
    help="Lowest severity that makes the exit code 1 (an audit fails on nothing by default).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar [default: when standard error is a terminal].",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
def report_command(
    html_path: Path | None,
    json_path: Path | None,
    markdown_path: Path | None,
    history_path: Path | None,
    no_history: bool,
    fail_on: str,
    progress: bool | None,
    quiet: bool,
    **params: Any,
) -> None:
    """Audit PATHS: findings, statistics and trends, as HTML, JSON or Markdown.

    Every offline rule plus the corpus rules (duplicates, near-duplicates, dangling related
    items), statistics by provider, type and month, and the trend against earlier runs.
    Writes the outputs asked for; prints a summary.
    """
    from validator.audit import audit
    from validator.report.base import dumps
    from validator.report.markdown import render_markdown

    _refuse_report_conflicts(history_path, no_history, progress, quiet)
    options = _options(params, fail_on=fail_on)
    for report_path in (json_path, markdown_path, html_path):
        if report_path is not None:
            _make_folder_for(report_path)
    show_progress = (sys.stderr.isatty() if progress is None else progress) and not quiet
    if history_path is None and not no_history:
        history_path = _default_history(options)
    try:
        if show_progress:
            with _progress_bar() as update:
                result = audit(options, None if no_history else history_path, update)
        else:
            result = audit(options, None if no_history else history_path)
    except (ConfigError, PluginError) as error:
        raise click.UsageError(str(error)) from None
    for note in result.run.notes:
        click.echo(f"note: {note}", err=True)
    document = result.report()
    written = []
    if json_path is not None:
        with _report_file(json_path) as stream:
            stream.write(dumps(document))
        written.append(str(json_path))
    if markdown_path is not None:
        with _report_file(markdown_path) as stream:
            stream.write(render_markdown(document))
        written.append(str(markdown_path))
    if html_path is not None:
        from validator.report.html import render_html  # only the audit needs it

        cards = {slug: rule.card() for slug, rule in result.run.registry.rules.items()}
        with _report_file(html_path) as stream:
            stream.write(render_html(document, cards))
        written.append(str(html_path))
    if not quiet:
        stats = document["stats"]
        click.echo(
            f"{result.run.summary()}; {stats['clean_share']:.1%} of records clean"
            + (
                f"; history: {result.history_path} ({len(result.history) + 1} runs)"
                if result.history_path
                else ""
            )
        )
        for alert in result.alerts:
            click.echo(f"provider to look at: {alert.message()}")
        for path in written:
            click.echo(f"wrote {path}")
    sys.exit(result.run.exit_code)


def _refuse_report_conflicts(
    history_path: Path | None, no_history: bool, progress: bool | None, quiet: bool
) -> None:
    """Options that contradict each other: which one wins would be a guess."""
    if history_path is not None and no_history:
        raise click.UsageError("--history FILE and --no-history contradict: give one of them")
    if progress and quiet:
        raise click.UsageError("--progress and --quiet contradict: --quiet shows no progress bar")


def _default_history(options: CheckOptions) -> Path:
    from validator.config import load_config

    try:
        loaded = load_config(options.config, options.paths)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    return loaded.root / ".newslint" / "history.sqlite"


@contextlib.contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None]]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("check", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@cli.command(
    "learn-boilerplate", epilog=LEARN_HELP, short_help="Learn recurring boilerplate lines."
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The learned-lines table to write (JSON).",
)
@click.option(
    "--min-records",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Keep a line that occurs in at least this many records of one provider.",
)
@click.option(
    "--max-lines",
    type=click.IntRange(min=1000),
    default=200_000,
    show_default=True,
    help="Memory bound: counters held at once (counts stay lower bounds).",
)
def learn_boilerplate_command(
    paths: tuple[Path, ...], output: Path, min_records: int, max_lines: int
) -> None:
    """Learn each provider's recurring lines (page frame) from PATHS into a table.

    The lines that recur across records of the same provider are counted in one pass over
    the records in PATHS and written to OUTPUT.

    \b
    Use it in the configuration:
      [rules."boilerplate/learned-line"]
      table = "boilerplate-lines.json"
    """
    from rules.learned import learn_table, records_under, save_table

    _make_folder_for(output)
    table = learn_table(records_under(paths), min_records, max_lines=max_lines)
    try:
        save_table(table, output)
    except OSError as error:
        raise click.UsageError(f"cannot write {output}: {error.strerror or error}") from None
    lines = sum(len(entry.lines) for entry in table.providers.values())
    click.echo(f"learned {lines} line(s) for {len(table.providers)} provider(s); wrote {output}")
    for provider, entry in table.providers.items():
        click.echo(f"  {provider}: {len(entry.lines)} line(s) from {entry.records} record(s)")


@cli.command("rules", epilog=RULES_HELP, short_help="List rules, or show one's card.")
@click.argument("rule", required=False)
def rules_command(rule: str | None) -> None:
    """List every rule (slug, code, severity, summary), or print RULE's card."""
    registry = _registry()
    if rule is not None:
        _print_card(registry, rule)
        return
    width = max(len(slug) for slug in registry.rules)
    for slug, listed in registry.rules.items():
        fix = " (fixable)" if listed.fixable else ""
        click.echo(
            f"{slug:<{width}}  {listed.code}  {listed.severity.value:<7}  {listed.summary}{fix}"
        )


@cli.command("explain", epilog=EXPLAIN_HELP, short_help="Print a rule's card.")
@click.argument("rule")
def explain_command(rule: str) -> None:
    """Print the documentation card of RULE (a slug such as body/missing, or a code)."""
    _print_card(_registry(), rule)


def _print_card(registry: Registry, name: str) -> None:
    found = registry.resolve(name)
    if found is None:
        raise click.UsageError(f"no rule {name!r}{_suggestion(registry, name)}")
    click.echo(found.card(), nl=False)


def _suggestion(registry: Registry, name: str) -> str:
    """The slugs and codes close to a misspelt name, so the user need not scan the list."""
    codes = {rule.code.lower(): rule.code for rule in registry.rules.values()}
    slugs = {slug.lower(): slug for slug in registry.rules}
    candidates = {**slugs, **codes}
    close = difflib.get_close_matches(name.lower(), candidates, n=3, cutoff=0.6)
    listed = "; `newslint rules` lists them all"
    if not close:
        return listed
    return " (did you mean " + " or ".join(candidates[c] for c in close) + "?)" + listed


def _registry() -> Registry:
    try:
        return default_registry()
    except PluginError as error:
        raise click.UsageError(str(error)) from None


INTERRUPTED = 130  # 128 + SIGINT, what shells expect of a run stopped by Ctrl-C
INTERNAL_ERROR = 2  # never 1, which CI reads as "findings"


def main() -> int:
    """Run the CLI and map every way it can end to a documented exit status."""
    try:
        outcome = cli.main(prog_name="newslint", standalone_mode=False)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except (click.Abort, KeyboardInterrupt):
        click.echo("\nnewslint: interrupted", err=True)
        return INTERRUPTED
    except Exception as error:  # a bug must be reported, never exit 1
        return _report_crash(error)
    return outcome if isinstance(outcome, int) else 0


def _report_crash(error: Exception) -> int:
    """A bug in newslint itself: the traceback for the report, and an exit status that no
    CI step can take for findings in the records."""
    traceback.print_exception(error, file=sys.stderr)
    click.echo(
        f"newslint: internal error: {type(error).__name__}: {error}\n"
        "This is a bug in newslint, not a problem in your records: please report it with "
        "the command line and the traceback above.",
        err=True,
    )
    return INTERNAL_ERROR

"""The result cache and file discovery: a cached run reports what `--no-cache` reports on the
same inputs, and discovery neither skips nor doubles a file. Each docstring says what could go
wrong and why a user would care.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

import validator.runner as runner
from tests.helpers import VALID_BODY, fields, markdown
from tests.test_runner import run, write_corpus
from validator import stamp as stamp_module
from validator.app import CheckOptions, check
from validator.baseline import apply_baseline, build_baseline
from validator.cache import SCHEMA_VERSION
from validator.config import ConfigError


def _fingerprints(folder: Path, **options: object) -> list[tuple[str, str, str]]:
    result = check(CheckOptions(paths=[folder], jobs=1, **options))  # type: ignore[arg-type]
    return [(f.path, f.rule, f.fingerprint) for f in result.result.findings]


def test_cached_findings_have_the_fingerprints_an_uncached_run_from_another_folder_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A finding's fingerprint (what baselines match on) hashes the file's path relative to
    the configuration, as the cache key does, not the path as displayed (which depends on the
    working folder). Otherwise a run from another folder would be served the fingerprints of
    the first run: `newslint check --baseline` would suppress findings that `--no-cache`
    reports as new (or the other way round)."""
    folder = tmp_path / "c"
    write_corpus(folder, 3)
    monkeypatch.chdir(tmp_path)
    run(Path("c"), jobs=1)  # fills the cache, paths shown as c/r000.md
    monkeypatch.chdir(folder)
    cached = _fingerprints(Path("."))
    fresh = _fingerprints(Path("."), use_cache=False)
    assert [path for path, _, _ in cached] == [path for path, _, _ in fresh]
    assert cached == fresh


def test_a_baseline_applies_the_same_with_and_without_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user-visible side of fingerprints: a baseline written from the repository's top
    folder, then `newslint check --baseline` run inside the records' folder, gives the same
    verdict whether the cache was warm or not."""
    folder = tmp_path / "c"
    write_corpus(folder, 3)
    monkeypatch.chdir(tmp_path)
    written = check(CheckOptions(paths=[Path("c")], jobs=1))  # warms the cache too
    baseline = build_baseline(written.result)
    known = {entry["fingerprint"]: entry["count"] for entry in baseline["findings"]}
    monkeypatch.chdir(folder)
    outcomes = []
    for use_cache in (True, False):
        again = check(CheckOptions(paths=[Path(".")], jobs=1, use_cache=use_cache))
        outcome = apply_baseline(again.result, Counter(known))
        outcomes.append((outcome.suppressed, outcome.fixed, again.exit_code))
    assert outcomes[0] == outcomes[1]


def test_a_file_named_by_absolute_and_relative_path_is_reported_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`newslint check news/ /abs/path/to/news/a.md` (a script adding changed files by
    absolute path, `realpath`, an IDE) reports a.md once: discovery drops repeats by the
    absolute normalised path, so an absolute and a relative spelling of one file are one.
    Otherwise findings and counts would double, and a baseline would count them twice."""
    folder = tmp_path / "c"
    paths = write_corpus(folder, 3)
    monkeypatch.chdir(tmp_path)
    result = check(CheckOptions(paths=[Path("c"), paths[0].resolve()], jobs=1, use_cache=False))
    shown = [file.path for file in result.result.files]
    assert len(shown) == len(set(shown)) == 3, shown


def test_a_symlinked_record_gets_the_overrides_of_its_own_path_when_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Override globs are matched against the path relative to the configuration. A folder
    walk uses the path as found (archive/y.md), and so does a file named on the command line
    (as pre-commit names every staged file): only its folder is resolved, not the link, so a
    symlink archive/y.md -> ../news/x.md is matched as archive/y.md both ways, and
    `newslint check archive/` and `newslint check archive/y.md` agree."""
    (tmp_path / "news").mkdir()
    (tmp_path / "archive").mkdir()
    (tmp_path / "newslint.toml").write_text(
        '[[overrides]]\npaths = ["archive/**"]\nignore = ["body"]\n', encoding="utf-8"
    )
    (tmp_path / "news" / "x.md").write_text(markdown(fields(), ""), encoding="utf-8")
    os.symlink(Path("..") / "news" / "x.md", tmp_path / "archive" / "y.md")
    monkeypatch.chdir(tmp_path)
    walked = check(CheckOptions(paths=[Path("archive")], jobs=1, use_cache=False))
    named = check(CheckOptions(paths=[Path("archive/y.md")], jobs=1, use_cache=False))
    assert [f.path for f in walked.result.files] == ["archive/y.md"]
    assert [f.path for f in named.result.files] == ["archive/y.md"]
    assert sorted(f.rule for f in named.result.findings) == sorted(
        f.rule for f in walked.result.findings
    )


def test_a_configuration_edited_while_a_parallel_run_starts_does_not_poison_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With -j N the parent keys each file with the configuration it read, but every worker
    process reads newslint.toml (and the schema, packs, key file) again from disk. A worker's
    outcome is cached only if it was checked with the settings its key was made from: saving
    the configuration while a long run starts must not file the new settings' findings
    under the old settings' keys (here body/too-short as an error instead of a warning),
    to be served once the edit is undone."""
    folder = tmp_path / "c"
    write_corpus(folder, 40)
    config = folder / "newslint.toml"
    original = config.read_bytes()
    real_pool = runner._pool

    def pool_after_an_edit(request, jobs):  # type: ignore[no-untyped-def]
        config.write_text('[severity]\n"body/too-short" = "error"\n', encoding="utf-8")
        return real_pool(request, jobs)

    monkeypatch.setattr(runner, "_pool", pool_after_an_edit)
    run(folder, jobs=2)
    monkeypatch.setattr(runner, "_pool", real_pool)
    config.write_bytes(original)  # the edit undone
    cached, _ = run(folder, jobs=2)
    fresh, _ = run(folder, jobs=2, use_cache=False)
    assert cached == fresh


def _damage_pages(database: Path) -> None:
    """Keep the header and first page (schema) of an SQLite file, overwrite the rest: what a
    truncated or half-restored CI cache or a torn copy leaves behind."""
    data = bytearray(database.read_bytes())
    assert len(data) > 4096 * 2, len(data)
    data[4096 + 100 :] = b"A" * (len(data) - 4096 - 100)
    database.write_bytes(bytes(data))


def test_a_damaged_results_database_does_not_crash_the_check(tmp_path: Path) -> None:
    """A results database whose header is intact but whose pages are damaged (an interrupted
    copy or CI-cache restore, a full disk) raises sqlite3.DatabaseError only once read. The
    cache is then turned off for the rest of the run, with a note saying which file and what
    to do, and the check reports exactly what --no-cache reports: no traceback, no lost
    report."""
    folder = tmp_path / "c"
    write_corpus(folder, 30)
    run(folder, jobs=1)
    database = folder / ".newslint_cache" / f"results-v{SCHEMA_VERSION}.sqlite"
    for leftover in ("-wal", "-shm"):
        database.with_name(database.name + leftover).unlink(missing_ok=True)
    _damage_pages(database)
    fresh, _ = run(folder, jobs=1, use_cache=False)
    cached, cached_run = run(folder, jobs=1)  # sqlite3.DatabaseError inside: turned off
    assert cached == fresh
    notes = cached_run.notes  # type: ignore[attr-defined]
    assert any("result cache disabled" in note and str(database) in note for note in notes)


def test_a_full_disk_under_the_cache_does_not_lose_the_report(tmp_path: Path) -> None:
    """When the cache cannot be written (disk full, quota; simulated with RLIMIT_FSIZE), the
    flush's sqlite3.OperationalError costs the cache, not the result: the run prints its
    report and exits as --no-cache does, with a note instead of a traceback."""
    import resource
    import signal
    import subprocess
    import sys

    folder = tmp_path / "c"
    write_corpus(folder, 300)
    # Room to open the database (20 KiB) and its WAL index (32 KiB), not to store 300 results.
    limit = 40_000

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-size write fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "NEWSLINT_NO_REPLAY": "1"}
    command = [sys.executable, "-m", "validator", "check", "-j", "1", "--format", "json", "."]
    full = subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, preexec_fn=small_files
    )
    fresh = subprocess.run(
        [*command, "--no-cache"], cwd=folder, env=env, capture_output=True, text=True
    )
    assert "Traceback" not in full.stderr, full.stderr[-600:]
    assert (full.returncode, full.stdout) == (fresh.returncode, fresh.stdout)


def _cli(folder: Path, *arguments: str) -> tuple[int, str]:
    import subprocess
    import sys

    env = {**os.environ, "NEWSLINT_NO_REPLAY": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "validator", "check", "-j", "1", "--format", "json", *arguments],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    return done.returncode, done.stdout


def test_an_edited_phrase_pack_is_not_cached_with_the_findings_of_its_old_text(
    tmp_path: Path,
) -> None:
    """A project pack is part of the key by its contents (Selection.fingerprint_for reads
    it afresh), and the rule reads it through load_packs, keyed by the pack files' stamps as
    well as their paths. In a process that checks twice (an editor integration, a test
    session, any caller of validator.app.check) an edited pack is read again: otherwise its
    new key would be filled with the old pack's findings, served to every later run."""
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "newslint.toml").write_text(
        '[rules."boilerplate/phrase"]\npacks = ["ours.yaml"]\n', encoding="utf-8"
    )
    pack = folder / "ours.yaml"
    pack.write_text(
        "name: ours\ncategories:\n  footer:\n    phrases: [Brought to you by Acme]\n",
        encoding="utf-8",
    )
    body = VALID_BODY + "\nBrought to you by Acme\n\nPowered by Zenith\n"
    (folder / "a.md").write_text(markdown(fields(), body), encoding="utf-8")
    run(folder, jobs=1)  # this process now holds the first pack
    pack.write_text(
        "name: ours\ncategories:\n  footer:\n    phrases: [Powered by Zenith]\n", encoding="utf-8"
    )
    run(folder, jobs=1)  # the new pack's key, checked with the old pack
    assert _cli(folder) == _cli(folder, "--no-cache")


def test_a_new_newslint_version_is_not_served_the_old_versions_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The content key hashes newslint's version, and so does the stamp index's id (relative
    path, settings fingerprint, version): after an upgrade a settled file is not handed the
    key, and so the findings, stored by the previous version."""
    import validator.cache as cache_module
    import validator.engine as engine

    monkeypatch.setattr(stamp_module, "SETTLED_NS", 0)  # files written long ago
    folder = tmp_path / "c"
    write_corpus(folder, 6)
    run(folder, jobs=1)
    # The upgrade: another version string, and findings worded differently by the engine.
    monkeypatch.setattr(cache_module, "__version__", "99.0.0")
    real_printable = engine.printable
    monkeypatch.setattr(engine, "printable", lambda message: "v99: " + real_printable(message))
    again = check(CheckOptions(paths=[folder], jobs=1))
    fresh, _ = run(folder, jobs=1, use_cache=False)
    assert (again.cache_hits, again.cache_misses) == (0, 6)
    assert again.render("json") == fresh


def test_an_include_glob_with_a_folder_finds_the_files_under_it(tmp_path: Path) -> None:
    """`include = ["news/**/*.md"]`: an include glob with a '/' is matched against the path
    relative to the configuration, as exclude and override globs are (a glob without '/'
    still matches the file's name at any depth). Matched against the bare name it would
    match nothing: 0 files checked, exit 0, a CI gate that silently passes."""
    (tmp_path / "news" / "2024").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "news" / "2024" / "a.md").write_text(markdown(fields(), ""), encoding="utf-8")
    (tmp_path / "other" / "b.md").write_text(markdown(fields(), ""), encoding="utf-8")
    (tmp_path / "other" / "c.txt").write_text(markdown(fields(), ""), encoding="utf-8")
    (tmp_path / "newslint.toml").write_text(
        'include = ["news/**/*.md", "*.txt"]\n', encoding="utf-8"
    )
    result = check(CheckOptions(paths=[tmp_path], jobs=1, use_cache=False))
    shown = [Path(file.path).relative_to(tmp_path).as_posix() for file in result.result.files]
    assert shown == ["news/2024/a.md", "other/c.txt"]


def test_select_on_the_command_line_is_not_widened_by_an_override_select(
    tmp_path: Path,
) -> None:
    """`newslint check --select meta` reports meta/ findings only: an override's `select`
    narrows within what the command line chose and never widens it, as the command line's
    `--ignore` is added to every ignore list. Here the override selects schema and body,
    the command line meta: nothing is left to report under archive/."""
    (tmp_path / "archive").mkdir()
    (tmp_path / "newslint.toml").write_text(
        '[[overrides]]\npaths = ["archive/**"]\nselect = ["schema", "body"]\n', encoding="utf-8"
    )
    (tmp_path / "archive" / "a.md").write_text(markdown(fields(title=5), ""), encoding="utf-8")
    result = check(CheckOptions(paths=[tmp_path], select=["meta"], jobs=1, use_cache=False))
    assert [f.rule for f in result.result.findings] == []


def test_an_override_that_selects_an_empty_list_is_refused(tmp_path: Path) -> None:
    """`select = []` in an override would otherwise mean no select at all: every rule on,
    the opposite of what it says. It is a configuration error naming the override."""
    (tmp_path / "newslint.toml").write_text(
        '[[overrides]]\npaths = ["archive/**"]\nselect = []\n', encoding="utf-8"
    )
    (tmp_path / "a.md").write_text(markdown(), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"overrides\[0\]\.select"):
        check(CheckOptions(paths=[tmp_path], jobs=1, use_cache=False))


def test_two_paths_asking_for_one_key_each_get_the_outcome_at_their_own_path(
    tmp_path: Path,
) -> None:
    """Cache.get_many answers per (key, path): two paths with one content key in one query
    each get the stored outcome shown at their own path, never one outcome for both."""
    from validator.cache import Cache
    from validator.engine import FileOutcome

    cache = Cache(tmp_path / "cache")
    cache.put("k", FileOutcome("stored.md", 1, "clean", 1, [], digest="d"))
    cache.flush()
    found = cache.get_many([("k", "a.md"), ("k", "b.md"), ("missing", "c.md")])
    cache.close()
    assert {pair: outcome.path for pair, outcome in found.items()} == {
        ("k", "a.md"): "a.md",
        ("k", "b.md"): "b.md",
    }
    assert (cache.hits, cache.misses) == (2, 1)


def test_a_symlink_named_beside_its_target_in_one_chunk_keeps_its_own_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A named symlink and its target in one chunk (-j 2 and a few dozen files, as pre-commit
    passes them): a warm run reports each at its own path, as the cold and uncached runs
    do."""
    folder = tmp_path / "c"
    write_corpus(folder, 40)
    (folder / "real.md").write_text(markdown(fields(), ""), encoding="utf-8")
    os.symlink("real.md", folder / "link.md")
    monkeypatch.chdir(folder)
    names = [Path("real.md"), Path("link.md"), *sorted(Path(".").glob("r*.md"))]
    results = []
    for use_cache in (True, True, False):
        result = check(CheckOptions(paths=names, jobs=2, use_cache=use_cache))
        results.append(result.render("json"))
    cold, warm, fresh = results
    assert cold == fresh
    assert warm == fresh


def test_a_custom_schema_that_refers_to_another_file_is_refused(tmp_path: Path) -> None:
    """A project schema may not split its definitions over files (`"$ref": "defs.json"` with
    a file: `$id`): the settings fingerprint hashes only the schema file itself, so an edit
    to defs.json would leave the cache serving the old schema's violations, and a URL would
    be fetched while checking. Such a schema is a configuration error (exit 2) naming the
    reference; references inside the file (#/$defs/...) are fine."""
    import json
    import subprocess
    import sys

    schema = tmp_path / "our.schema.json"
    (tmp_path / "defs.json").write_text('{"type": "string", "maxLength": 5}', encoding="utf-8")
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema.as_uri(),
        "type": "object",
        "properties": {"title": {"$ref": "defs.json"}},
    }
    schema.write_text(json.dumps(document), encoding="utf-8")
    (tmp_path / "newslint.toml").write_text('schema = "our.schema.json"\n', encoding="utf-8")
    (tmp_path / "a.md").write_text(markdown(), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"defs\.json"):
        check(CheckOptions(paths=[tmp_path], jobs=1, select=["schema"]))
    env = {**os.environ, "NEWSLINT_NO_REPLAY": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "validator", "check", "a.md"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "defs.json" in done.stderr, done.stderr
    # One file: fine. (Another file name: this process keeps each schema path it compiled.)
    whole = tmp_path / "whole.schema.json"
    document["$id"] = whole.as_uri()
    document["$defs"] = {"title": {"type": "string", "maxLength": 5}}
    document["properties"] = {"title": {"$ref": "#/$defs/title"}}
    whole.write_text(json.dumps(document), encoding="utf-8")
    (tmp_path / "newslint.toml").write_text('schema = "whole.schema.json"\n', encoding="utf-8")
    first, _ = run(tmp_path, jobs=1, select=["schema"])
    assert "maxLength" in first


@pytest.mark.parametrize(
    "schema,external",
    [
        ({"$ref": "#/$defs/a", "$defs": {"a": {"type": "string"}}}, []),
        ({"$id": "file:///x/s.json", "properties": {"t": {"$ref": "#/$defs/a"}}}, []),
        ({"$id": "file:///x/s.json", "items": {"$ref": "d.json#/a"}}, ["file:///x/d.json"]),
        ({"$defs": {"a": {"$id": "a.json"}}, "$ref": "a.json"}, []),  # embedded: its own
        ({"enum": [{"$ref": "x.json"}], "properties": {"$ref": {"type": "string"}}}, []),
        ({"properties": {"default": {"$ref": "x.json"}}}, ["x.json"]),  # a property's name
        ({"$ref": "https://example.com/s.json"}, ["https://example.com/s.json"]),
    ],
)
def test_which_references_leave_the_schema_file(schema: object, external: list[str]) -> None:
    from validator.schema import _external_refs

    assert list(_external_refs(schema)) == external


# --- pins of fragile behaviour ---------------------------------------------------------------


def test_pinned_the_secured_key_from_the_environment_is_part_of_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NEWSLINT_SECURED_KEY is read per run and only a one-way marker of it
    enters the settings fingerprint: switching keys back and forth must never serve the
    findings made with the other key."""
    import base64

    monkeypatch.setattr(stamp_module, "SETTLED_NS", 0)  # the stamp index is in play too
    folder = tmp_path / "c"
    write_corpus(folder, 3)
    keys = [base64.b64encode(b"k" * 16).decode(), base64.b64encode(b"j" * 16).decode(), ""]
    for key in [*keys, *keys]:
        monkeypatch.setenv("NEWSLINT_SECURED_KEY", key)
        cached, _ = run(folder, jobs=1)
        fresh, _ = run(folder, jobs=1, use_cache=False)
        assert cached == fresh, key


def test_pinned_a_json_lines_file_over_the_whole_file_limit_is_cached_and_served_whole(
    tmp_path: Path,
) -> None:
    """A .jsonl file is exempt from limits.max-file-bytes: it is hashed in
    chunks for its key and streamed by the check, and a warm run must give the same findings
    (a line over max-line-bytes, a broken line) as the cold and uncached runs."""
    import json

    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "newslint.toml").write_text(
        "[limits]\nmax-file-bytes = 1000\nmax-line-bytes = 3000\n", encoding="utf-8"
    )
    lines = []
    for n in range(5):
        data = fields(title=f"Story {n}")
        data["body"] = VALID_BODY if n != 2 else "x" * 4000
        lines.append(json.dumps(data))
    (folder / "a.jsonl").write_text("\n".join(lines) + '\n{"broken": \n', encoding="utf-8")
    cold, _ = run(folder, jobs=1)
    warm = check(CheckOptions(paths=[folder], jobs=1))
    fresh, _ = run(folder, jobs=1, use_cache=False)
    assert (warm.cache_hits, warm.cache_misses) == (1, 0)
    assert cold == warm.render("json") == fresh
    assert "input/too-large" in fresh and "input/json-syntax" in fresh

"""Parallel runs, the result cache, per-record time limits and dying workers."""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import time
from pathlib import Path

import pytest

from rules.body import BodyTooShort
from tests.helpers import VALID_BODY, check_files, fields, findings_of, markdown
from validator import stamp as stamp_module
from validator.app import CheckOptions, check
from validator.cache import SCHEMA_VERSION, Cache


def write_corpus(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "newslint.toml").write_text("")
    paths = []
    for n in range(count):
        body = VALID_BODY if n % 3 else "Too short."
        data = fields(title=f"Story {n}", quality=n if n % 5 else "high")
        path = folder / f"r{n:03}.md"
        path.write_text(markdown(data, body), encoding="utf-8")
        paths.append(path)
    return paths


def run(folder: Path, **options: object) -> tuple[str, object]:
    result = check(CheckOptions(paths=[folder], **options))  # type: ignore[arg-type]
    return result.render("json"), result


def test_parallel_output_is_identical_to_serial(tmp_path: Path) -> None:
    write_corpus(tmp_path / "c", 60)
    serial, _ = run(tmp_path / "c", jobs=1, use_cache=False)
    parallel, _ = run(tmp_path / "c", jobs=2, use_cache=False)
    assert parallel == serial
    assert '"schema/violation": 12' in serial


def test_warm_cache_serves_every_unchanged_file(tmp_path: Path) -> None:
    write_corpus(tmp_path / "c", 20)
    cold_report, cold = run(tmp_path / "c", jobs=1)
    warm_report, warm = run(tmp_path / "c", jobs=1)
    assert (cold.cache_hits, cold.cache_misses) == (0, 20)
    assert (warm.cache_hits, warm.cache_misses) == (20, 0)
    assert warm_report == cold_report


def test_a_finding_that_time_alone_can_clear_is_not_cached(tmp_path: Path) -> None:
    """A date "in the future" stops being one: the same bytes are checked again each run."""
    folder = tmp_path / "c"
    write_corpus(folder, 2)
    (folder / "future.md").write_text(
        markdown(fields(publishedDateTime="2202-10-02T04:30:00Z")), encoding="utf-8"
    )
    first_report, first = run(folder, jobs=1)
    again_report, again = run(folder, jobs=1)
    assert "meta/future-date" in first_report
    assert (first.cache_hits, first.cache_misses) == (0, 3)
    assert (again.cache_hits, again.cache_misses) == (2, 1)  # the dated file, read again
    assert again_report == first_report


def test_warm_run_of_settled_files_reads_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stamp_module, "SETTLED_NS", 0)  # as if written long ago
    write_corpus(tmp_path / "c", 20)
    cold_report, _ = run(tmp_path / "c", jobs=1)
    reads: list[Path] = []
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    warm_report, warm = run(tmp_path / "c", jobs=1)
    assert (warm.cache_hits, warm.cache_misses) == (20, 0)
    assert [p for p in reads if p.suffix == ".md"] == []
    assert warm_report == cold_report


def test_same_size_edit_with_mtime_put_back_is_still_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stamp_module, "SETTLED_NS", 0)
    paths = write_corpus(tmp_path / "c", 10)
    run(tmp_path / "c", jobs=1)
    before = paths[4].stat()
    text = paths[4].read_text(encoding="utf-8")
    paths[4].write_text(text.replace("Story 4", "Story X"), encoding="utf-8")
    os.utime(paths[4], ns=(before.st_atime_ns, before.st_mtime_ns))  # as `touch -r` would
    assert paths[4].stat().st_size == before.st_size
    _, again = run(tmp_path / "c", jobs=1)
    assert (again.cache_hits, again.cache_misses) == (9, 1)  # the inode's ctime moved on


def test_files_written_just_now_are_hashed_again_not_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "c", 3)
    run(tmp_path / "c", jobs=1)
    cache = Cache(tmp_path / "c" / ".newslint_cache")
    fresh = cache._db.execute("SELECT count(*) FROM stamps").fetchone()[0]
    cache.close()
    assert fresh == 0  # a write in the same clock tick could go unseen: hash them next time
    monkeypatch.setattr(stamp_module, "SETTLED_NS", 0)  # time passes
    run(tmp_path / "c", jobs=1)
    cache = Cache(tmp_path / "c" / ".newslint_cache")
    assert cache._db.execute("SELECT count(*) FROM stamps").fetchone()[0] == 3
    cache.close()


def test_changed_file_is_rechecked_and_only_it(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path / "c", 10)
    run(tmp_path / "c", jobs=1)
    paths[4].write_text(markdown(fields(), VALID_BODY), encoding="utf-8")
    report, again = run(tmp_path / "c", jobs=1)
    assert (again.cache_hits, again.cache_misses) == (9, 1)
    fresh, _ = run(tmp_path / "c", jobs=1, use_cache=False)
    assert report == fresh


def test_changed_config_invalidates_the_cache(tmp_path: Path) -> None:
    write_corpus(tmp_path / "c", 6)
    run(tmp_path / "c", jobs=1)
    (tmp_path / "c" / "newslint.toml").write_text('[severity]\n"body/too-short" = "error"\n')
    report, again = run(tmp_path / "c", jobs=1)
    assert again.cache_hits == 0
    assert '"body/too-short"' in report and '"severity": "error"' in report


def test_changed_rule_options_invalidate_only_matching_paths(tmp_path: Path) -> None:
    write_corpus(tmp_path / "c" / "a", 3)
    write_corpus(tmp_path / "c" / "b", 3)
    (tmp_path / "c" / "newslint.toml").write_text("")
    run(tmp_path / "c", jobs=1)
    (tmp_path / "c" / "newslint.toml").write_text(
        '[[overrides]]\npaths = ["b/**"]\nrules = { "body/too-short" = { min-words = 5 } }\n'
    )
    _, again = run(tmp_path / "c", jobs=1)
    assert (again.cache_hits, again.cache_misses) == (3, 3)  # a/ reused, b/ redone


def test_rule_version_bump_invalidates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_corpus(tmp_path / "c", 4)
    run(tmp_path / "c", jobs=1)
    monkeypatch.setattr(BodyTooShort, "version", BodyTooShort.version + ".1")
    _, again = run(tmp_path / "c", jobs=1)
    assert again.cache_hits == 0


def test_no_cache_neither_reads_nor_writes(tmp_path: Path) -> None:
    write_corpus(tmp_path / "c", 3)
    _, result = run(tmp_path / "c", jobs=1, use_cache=False)
    assert (result.cache_hits, result.cache_misses) == (0, 0)
    assert not (tmp_path / "c" / ".newslint_cache").exists()


def test_cache_holds_no_record_text(tmp_path: Path) -> None:
    write_corpus(tmp_path / "c", 3)
    run(tmp_path / "c", jobs=1)
    database = (
        tmp_path / "c" / ".newslint_cache" / f"results-v{SCHEMA_VERSION}.sqlite"
    ).read_bytes()
    assert b"Amnesty International" not in database
    assert fields()["secured"][:40].encode() not in database


def test_slow_rule_is_stopped_and_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def stuck(self, record, context):  # type: ignore[no-untyped-def]
        time.sleep(30)
        yield from ()

    monkeypatch.setattr(BodyTooShort, "check", stuck)
    started = time.monotonic()
    result = check_files(
        tmp_path,
        {"a.md": markdown()},
        config="[limits]\nrecord-seconds = 0.5\n",
        jobs=1,
        use_cache=False,
    )
    assert time.monotonic() - started < 10
    (finding,) = findings_of(result, "internal/rule-crash")
    assert "longer than 0.5 s" in finding.message and "body/too-short" in finding.message
    assert result.result.exit_code("error") == 2


def test_catastrophic_pattern_is_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def backtracks(self, record, context):  # type: ignore[no-untyped-def]
        re.match(r"(a+)+$", "a" * 64 + "!")
        yield from ()

    monkeypatch.setattr(BodyTooShort, "check", backtracks)
    result = check_files(
        tmp_path,
        {"a.md": markdown()},
        config="[limits]\nrecord-seconds = 0.5\n",
        jobs=1,
        use_cache=False,
    )
    assert findings_of(result, "internal/rule-crash")


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="the dying rule is injected by monkeypatching, which only fork carries into workers",
)
def test_a_worker_that_dies_costs_only_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = write_corpus(tmp_path / "c", 24)

    def killer(self, record, context):  # type: ignore[no-untyped-def]
        if record.path.endswith("r013.md"):
            os.kill(os.getpid(), signal.SIGKILL)
        yield from ()

    monkeypatch.setattr(BodyTooShort, "check", killer)
    _, result = run(tmp_path / "c", jobs=2, use_cache=False)
    files = result.result.files
    assert len(files) == len(paths)
    crashed = [f for f in result.result.findings if f.rule == "internal/rule-crash"]
    assert [f.path.rsplit("/", 1)[-1] for f in crashed] == ["r013.md"]
    assert "worker process checking this file died" in crashed[0].message
    assert result.exit_code == 2


def test_cache_survives_a_second_process_writing(tmp_path: Path) -> None:
    first, second = Cache(tmp_path / "cache"), Cache(tmp_path / "cache")
    _, outcome = run_one(tmp_path)
    first.put("k1", outcome)
    second.put("k2", outcome)
    first.flush()
    second.flush()
    assert first.get("k2", "one.md") is not None and second.get("k1", "one.md") is not None
    first.close()
    second.close()


def run_one(tmp_path: Path):  # type: ignore[no-untyped-def]
    from validator.discover import Discovered
    from validator.engine import check_file

    path = tmp_path / "one.md"
    path.write_text(markdown(), encoding="utf-8")
    from validator.app import prepare

    request = prepare(CheckOptions(paths=[path], use_cache=False, jobs=1))[0]
    return request, check_file(Discovered(path, "one.md"), request)


def test_cache_hits_from_another_working_folder_show_the_current_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(tmp_path / "c", 3)
    monkeypatch.chdir(tmp_path)
    run(Path("c"), jobs=1)
    monkeypatch.chdir(tmp_path / "c")
    report, again = run(Path("."), jobs=1)
    assert (again.cache_hits, again.cache_misses) == (3, 0)
    assert '"path": "r000.md"' in report and '"path": "c/r000.md"' not in report


def test_a_file_name_that_is_not_utf8_is_cached(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    write_corpus(folder, 1)
    odd = os.path.join(os.fsencode(folder), b"caf\xe9.md")
    with open(odd, "wb") as handle:
        handle.write(markdown(fields(), "").encode())
    first_report, _ = run(folder, jobs=1)
    again_report, again = run(folder, jobs=1)
    assert "body/missing" in first_report
    assert (again.cache_hits, again.cache_misses) == (2, 0)
    assert again_report == first_report


def test_a_file_edited_while_it_is_checked_is_not_cached_under_its_old_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key is taken from the bytes read first; the check reads the file again. An edit
    in between (an editor saving during a pre-commit run) must not file the new bytes'
    findings under the old bytes' key, where undoing the edit would find them."""
    import validator.runner as runner

    folder = tmp_path / "c"
    write_corpus(folder, 1)
    record = folder / "r000.md"
    original = record.read_bytes()
    edited = markdown(fields(title="Story 0", quality="very high"), VALID_BODY).encode()
    real_check_file = runner.check_file

    def edit_then_check(item, request):  # type: ignore[no-untyped-def]
        item.path.write_bytes(edited)
        return real_check_file(item, request)

    monkeypatch.setattr(runner, "check_file", edit_then_check)
    during, _ = run(folder, jobs=1)
    assert "very high" in during  # what was checked is what is reported
    monkeypatch.setattr(runner, "check_file", real_check_file)
    record.write_bytes(original)  # the edit undone
    after, again = run(folder, jobs=1)
    fresh, _ = run(folder, jobs=1, use_cache=False)
    assert after == fresh
    assert "very high" not in after
    assert (again.cache_hits, again.cache_misses) == (0, 1)  # nothing was kept of the first


def test_a_file_digest_is_computed_only_when_something_needs_it(tmp_path: Path) -> None:
    write_corpus(tmp_path / "c", 2)
    _, plain = run(tmp_path / "c", jobs=1, use_cache=False, file_digests=False)
    _, cached = run(tmp_path / "c", jobs=1)
    _, both = run(tmp_path / "c", jobs=1, use_cache=False)
    assert [file.digest for file in plain.result.files] == ["", ""]  # type: ignore[attr-defined]
    digests = [file.digest for file in cached.result.files]  # type: ignore[attr-defined]
    assert all(len(digest) == 64 for digest in digests)
    assert [file.digest for file in both.result.files] == digests  # type: ignore[attr-defined]


def test_files_that_cannot_be_decoded_are_cached_too(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    write_corpus(folder, 1)
    (folder / "binary.md").write_bytes(b"---\n\x00\x01\x02\n---\nbody\n")
    (folder / "latin1.md").write_bytes("---\ntitle: café\n---\n".encode("latin-1"))
    cold_report, _ = run(folder, jobs=1)
    warm_report, warm = run(folder, jobs=1)
    assert "input/" in cold_report
    assert (warm.cache_hits, warm.cache_misses) == (3, 0)  # type: ignore[attr-defined]
    assert warm_report == cold_report


def test_a_binary_json_lines_file_is_cached_too(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    write_corpus(folder, 1)
    (folder / "data.jsonl").write_bytes(b"\x00\x01" + b"x" * 300_000)  # past one read chunk
    cold_report, _ = run(folder, jobs=1)
    warm_report, warm = run(folder, jobs=1)
    assert "input/binary" in cold_report
    assert (warm.cache_hits, warm.cache_misses) == (2, 0)  # type: ignore[attr-defined]
    assert warm_report == cold_report

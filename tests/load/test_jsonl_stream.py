"""JSON lines files are read as a stream of lines: no whole-file size limit, one per line."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

import validator.load as load_package
from tests.helpers import VALID_BODY, check_files, fields, findings_of
from validator.app import CheckOptions, CheckRun, check
from validator.load import InputLimits, load_file
from validator.load import source as source_module
from validator.load.source import LineStream, open_lines, read_source

T = TypeVar("T")


def jsonl(*records: dict[str, object] | str) -> str:
    """One line per record: a dict is dumped as JSON, a string is written as it is."""
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def record(
    n: int, body: str | None = None, *, no_body: bool = False, **overrides: object
) -> dict[str, object]:
    """A valid record, unique by ``n``; ``no_body`` leaves its body out (body/missing)."""
    unique = {
        "title": f"Story number {n}",
        "webUrl": f"https://www.hrw.org/news/{n}",
        "originalUrl": f"https://www.hrw.org/news/{n}",
    }
    data = fields(**{**unique, **overrides})
    if not no_body:
        data["body"] = body if body is not None else f"{VALID_BODY}Unique line {n}.\n"
    return data


def at(run: CheckRun, rule: str) -> list[tuple[int, int]]:
    """(line, record index) of each finding of ``rule``."""
    return [(f.line, f.record) for f in findings_of(run, rule)]


# --- no whole-file limit ------------------------------------------------------------------


def traced_peak(work: Callable[[], T]) -> tuple[T, int]:
    """What work returns, and the peak of memory Python allocated while it ran."""
    tracemalloc.start()
    try:
        result = work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_jsonl_larger_than_max_file_bytes_is_checked_record_by_record(tmp_path: Path) -> None:
    lines = [record(n) for n in range(8)]
    lines[5] = record(5, no_body=True)  # body/missing on line 6 proves the end was read
    text = jsonl(*lines)
    json_text = json.dumps(lines)
    assert len(text) > 8000 and len(json_text) > 8000
    run = check_files(
        tmp_path,
        {"big.jsonl": text, "big.json": json_text},
        config="[limits]\nmax-file-bytes = 4000\n",
        select=["input", "body/missing"],
        use_cache=False,
    )
    by_name = {Path(f.path).name: f for f in run.result.files}
    assert (by_name["big.jsonl"].records, by_name["big.jsonl"].status) == (8, "findings")
    assert at(run, "body/missing") == [(6, 5)]
    # max-file-bytes still applies, unchanged, to every other format.
    [refused] = findings_of(run, "input/too-large")
    assert Path(refused.path).name == "big.json"
    assert by_name["big.json"].status == "unreadable"


def test_line_over_max_line_bytes_is_one_finding_at_its_line(tmp_path: Path) -> None:
    huge = record(3, body=VALID_BODY * 20)
    text = jsonl(record(1), record(2, no_body=True), huge, record(4, no_body=True))
    huge_size = len(json.dumps(huge).encode())
    run = check_files(
        tmp_path,
        {"a.jsonl": text},
        config="[limits]\nmax-line-bytes = 3000\n",
        select=["input", "body/missing"],
        use_cache=False,
    )
    [too_large] = findings_of(run, "input/too-large")
    assert (too_large.line, too_large.column, too_large.record) == (3, 1, 2)
    assert f"{huge_size:,} bytes" in too_large.message
    assert "3,000" in too_large.message and "limits.max-line-bytes" in too_large.message
    # The lines before and after it are checked as usual, with their own indexes.
    assert at(run, "body/missing") == [(2, 1), (4, 3)]
    [file] = run.result.files
    assert (file.records, file.status) == (4, "findings")


def test_only_over_long_lines_are_unreadable_as_a_file(tmp_path: Path) -> None:
    text = jsonl(record(1, body=VALID_BODY * 10), record(2, body=VALID_BODY * 10))
    run = check_files(tmp_path, {"a.jsonl": text}, config="[limits]\nmax-line-bytes = 1000\n")
    assert at(run, "input/too-large") == [(1, 0), (2, 1)]
    assert run.result.files[0].status == "unreadable"


def test_an_over_long_line_is_counted_not_kept(tmp_path: Path) -> None:
    """A line far over the limit, spanning many reads, never sits whole in memory."""
    path = tmp_path / "a.jsonl"
    line = json.dumps(record(2, body="word " * 600_000))
    path.write_text(jsonl(record(1), line, record(3)), encoding="utf-8")
    stream = open_lines(path, "a.jsonl", InputLimits(max_line_bytes=10_000))
    assert isinstance(stream, LineStream)
    lines, peak = traced_peak(lambda: list(stream))
    assert [(x.number, x.text is None) for x in lines] == [(1, False), (2, True), (3, False)]
    assert f"{len(line.encode()):,} bytes" in lines[1].problems[0][1].message
    assert peak < len(line) / 4, f"peak {peak:,} bytes for a line of {len(line):,}"


# --- the same findings as reading the file whole -------------------------------------------


MIXED = (
    b"\xef\xbb\xbf"  # a UTF-8 byte-order mark, dropped
    + json.dumps(record(1, title="Caf\udce9"), ensure_ascii=False).encode(
        "utf-8", "surrogateescape"
    )  # line 1: a Latin-1 byte, not UTF-8
    + b"\r\n\r\n"  # CRLF and a blank line
    + json.dumps(record(3, no_body=True)).encode()
    + b"\n{broken\n"
    + b'{"title": "A", "title": "B", "body": "x"}\n'
    + b'{"title": "\\ud800", "body": "Lone half of a pair."}\n'
    + ("[" * 100 + "]" * 100).encode()
    + b"\n"
    + json.dumps(record(8, quality="high")).encode()  # no line break at the end
)


@pytest.mark.parametrize("chunk_bytes", [1, 5, 4096, source_module._CHUNK_BYTES])
def test_stream_reads_the_lines_the_whole_file_holds(
    tmp_path: Path, chunk_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(MIXED)
    monkeypatch.setattr(source_module, "_CHUNK_BYTES", chunk_bytes)
    stream = open_lines(path, "a.jsonl", InputLimits())
    assert isinstance(stream, LineStream)
    streamed = list(stream)
    whole = read_source(path, "a.jsonl", InputLimits())
    assert whole.text is not None
    assert [line.text for line in streamed] == whole.text.split("\n")
    assert stream.digest == hashlib.sha256(MIXED).hexdigest() == whole.digest
    # The file's one UTF-8 error is reported at the same line and column either way.
    [(number, problems)] = [(x.number, x.problems) for x in streamed if x.problems]
    assert number == 1 and problems == whole.problems


def test_findings_under_both_limits_are_those_of_the_whole_file_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "newslint.toml").write_text("")
    (tmp_path / "a.jsonl").write_bytes(MIXED)
    options = CheckOptions(paths=[tmp_path / "a.jsonl"], use_cache=False, jobs=1)
    streamed = check(options)
    assert streamed.result.findings  # the comparison below compares something
    assert {"input/encoding", "input/json-syntax", "input/duplicate-key"} <= {
        f.rule for f in streamed.result.findings
    }

    def read_whole(path: Path, shown: str, limits: InputLimits) -> object:
        return read_source(path, shown, limits)  # the file read at once, as before

    monkeypatch.setattr(load_package, "open_lines", read_whole)
    whole = check(options)
    assert streamed.render("json") == whole.render("json")


# --- encodings and binary bytes ------------------------------------------------------------


def test_bad_utf8_on_a_line_is_reported_there_and_the_line_still_checked(
    tmp_path: Path,
) -> None:
    good = json.dumps(record(1)).encode()
    bad = json.dumps(record(2, title="Café", no_body=True), ensure_ascii=False).encode("latin-1")
    column = bad.index(b"\xe9") + 1
    run = check_files(
        tmp_path,
        {"a.jsonl": good + b"\n" + bad + b"\n" + good + b"\n"},
        select=["input", "body/missing"],
        use_cache=False,
    )
    [finding] = findings_of(run, "input/encoding")
    assert (finding.line, finding.column, finding.record) == (2, column, 1)
    assert f"line 2, column {column}" in finding.message and "0xe9" in finding.message
    assert at(run, "body/missing") == [(2, 1)]  # read with U+FFFD, and checked
    assert run.result.files[0].records == 3


def test_nul_in_a_later_line_is_that_line_s_finding(tmp_path: Path) -> None:
    lines = [record(n) for n in range(1, 7)]
    head = jsonl(*lines).encode()
    assert len(head) > 8192  # past the first 8 KiB, where a NUL marks a binary file
    late = b'{"title": "A\x00B", "body": "x"}\n'
    run = check_files(
        tmp_path,
        {"a.jsonl": head + late + jsonl(record(8, no_body=True)).encode()},
        select=["input", "body/missing"],
        use_cache=False,
    )
    [syntax] = findings_of(run, "input/json-syntax")
    assert (syntax.line, syntax.record) == (7, 6)
    assert at(run, "body/missing") == [(8, 7)]
    assert run.result.files[0].records == 8


def test_nul_in_the_first_8_kib_marks_the_whole_file_binary(tmp_path: Path) -> None:
    text = jsonl(record(1)).encode() + b'{"title": "A\x00B"}\n' + jsonl(record(3)).encode()
    run = check_files(tmp_path, {"a.jsonl": text}, use_cache=False)
    [finding] = run.result.findings
    assert (finding.rule, finding.line) == ("input/binary", 2)
    assert run.result.files[0].status == "unreadable"


# --- digest and cache -----------------------------------------------------------------------


def test_digest_is_of_every_byte(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    data = jsonl(*(record(n) for n in range(20))).encode()
    path.write_bytes(data)
    loaded = load_file(path, "a.jsonl", InputLimits())
    assert loaded.digest == ""  # not known before the file has been read
    assert len(list(loaded.records)) == 20
    assert loaded.digest == hashlib.sha256(data).hexdigest()


def test_a_one_byte_change_anywhere_is_seen_by_the_cache(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "newslint.toml").write_text("[limits]\nmax-file-bytes = 2000\n")
    path = folder / "a.jsonl"
    data = jsonl(*(record(n) for n in range(10))).encode()
    path.write_bytes(data)
    options = CheckOptions(paths=[folder], select=["input", "body/missing"], jobs=1)

    cold = check(options)
    warm = check(options)
    assert (cold.cache_misses, warm.cache_hits) == (1, 1)  # over max-file-bytes, still cached
    assert cold.result.files[0].digest == hashlib.sha256(data).hexdigest()

    before = path.stat()
    last_body = data.rindex(b'"body": "')  # in the last line: past max-file-bytes and 8 KiB
    changed = data[:last_body] + b'"bodx": "' + data[last_body + 9 :]
    assert len(changed) == len(data) and last_body > 8192
    path.write_bytes(changed)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    again = check(options)
    assert again.cache_misses == 1
    assert again.result.files[0].digest == hashlib.sha256(changed).hexdigest()
    assert at(again, "body/missing") == [(10, 9)]  # the last line lost its body


# --- memory ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_memory_does_not_grow_with_a_large_jsonl_file(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    line = (json.dumps(record(1, body=VALID_BODY * 100)) + "\n").encode()
    copies = 50_000_000 // len(line)
    with path.open("wb") as out:
        for _ in range(copies):
            out.write(line)
    size = path.stat().st_size
    small = tmp_path / "small.jsonl"
    small.write_bytes(line)
    (tmp_path / "newslint.toml").write_text("")
    options = CheckOptions(paths=[path], select=["input", "body"], use_cache=False, jobs=1)
    check(CheckOptions(paths=[small], select=["input", "body"], use_cache=False, jobs=1))
    gc.collect()
    run, peak = traced_peak(lambda: check(options))
    assert run.result.files[0].records == copies
    assert peak < size / 10, f"peak {peak:,} bytes while checking {size:,}"

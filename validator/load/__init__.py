"""Files to records: one module per input format, all returning positioned Records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from validator.findings import Problem
from validator.load.source import InputLimits, LineStream, open_lines, read_source
from validator.records import Record

FORMATS_BY_SUFFIX = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "markdown",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

__all__ = ["FORMATS_BY_SUFFIX", "InputLimits", "LoadedFile", "load_file", "read_whole"]


def read_whole(path: Path) -> bool:
    """Whether the file is read at once, within limits.max-file-bytes; a JSON lines file is
    read line by line instead, whatever its size."""
    return FORMATS_BY_SUFFIX.get(path.suffix.lower()) != "jsonl"


@dataclass
class LoadedFile:
    path: str
    # A list; for a JSON lines file, an iterator that reads the file as it goes (one pass).
    records: Iterable[Record]
    digest_source: str | LineStream = ""  # the digest, or the stream that computes it

    @property
    def digest(self) -> str:
        """SHA-256 of the bytes the records were read from ("" if unknown); a JSON lines
        file's is known once its records have been iterated to the end."""
        if isinstance(self.digest_source, str):
            return self.digest_source
        return self.digest_source.digest


def load_file(
    path: Path, display_path: str, limits: InputLimits, digest: bool = True
) -> LoadedFile:
    """Read ``path`` and split it into records. Never raises for bad input: problems
    become input/ findings on a record (an unreadable file yields one unreadable record).
    A JSON lines file is only opened here; its records are read as they are iterated.
    ``digest``: whether to compute the SHA-256 of a file read whole (a streamed JSON lines
    file always has one)."""
    # The parsers are imported on the first file of their format, not when a run served
    # from the cache starts (a one-file hook run pays only for the one it needs).
    fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower(), "markdown")
    if fmt == "jsonl":
        from validator.load.json_ import iter_jsonl

        opened = open_lines(path, display_path, limits)
        if isinstance(opened, LineStream):
            return LoadedFile(display_path, iter_jsonl(opened, display_path, limits), opened)
        source = opened
    else:
        source = read_source(path, display_path, limits, digest)
    if source.text is None:
        record = Record(display_path, 0, source.problem_line, "unknown", readable=False)
        for slug, problem in source.problems:
            record.add_load_problem(slug, problem)
        return LoadedFile(display_path, [record], source.digest)  # binary: still cacheable
    if fmt == "json":
        from validator.load.json_ import load_json

        records = load_json(source.text, display_path, limits)
    elif fmt == "jsonl":
        from validator.load.json_ import load_jsonl

        records = load_jsonl(source.text, display_path, limits)
    else:
        from validator.load.text import load_text

        records = [load_text(source.text, display_path, limits)]
    if source.problems:
        first = records[0]
        for slug, problem in source.problems:
            first.add_load_problem(slug, problem)
    return LoadedFile(display_path, records, source.digest)


def unreadable(display_path: str, slug: str, message: str) -> LoadedFile:
    """A file that vanished or could not be opened still appears in the report."""
    record = Record(display_path, 0, 1, "unknown", readable=False)
    record.add_load_problem(slug, Problem(message, line=1, column=1))
    return LoadedFile(display_path, [record])

"""Markdown/text records: optional YAML front matter between `---` lines, then the body."""

from __future__ import annotations

import re

from validator.findings import Problem
from validator.load.fast_yaml import fast_load
from validator.load.source import InputLimits
from validator.records import PositionIndex, Record

# A file that is just "---", with no line break after it, still opens front matter.
_OPENING = re.compile(r"---[ \t]*(?:\r?\n|\r?\Z)")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)


def _find_closing(text: str, start: int) -> re.Match[str] | None:
    """_CLOSING.search(text, start) for a start just after a line break, found faster: a
    multi-line '^' makes the regular expression engine try every position, while str.find
    jumps from one candidate line to the next."""
    found: re.Match[str] | None = None
    for marker in ("\n---", "\n..."):
        at = text.find(marker, start - 1)
        while at != -1 and (found is None or at < found.start()):
            match = _CLOSING.match(text, at + 1)
            if match is not None:
                found = match
                break
            at = text.find(marker, at + 1)
    return found


def load_text(text: str, path: str, limits: InputLimits) -> Record:
    opening = _OPENING.match(text)
    if opening is None:
        record = Record(path, 0, 1, "text", body=text, body_line=1)
        record.add_load_problem(
            "input/no-front-matter",
            Problem(
                "no YAML front matter (the first line is not '---'): checked as a body-only record",
                line=1,
                column=1,
            ),
        )
        return record
    closing = _find_closing(text, opening.end())
    if closing is None:
        record = Record(path, 0, 1, "markdown", readable=False)
        record.add_load_problem(
            "input/unterminated-front-matter",
            Problem(
                "front matter opened on line 1 is never closed: add a '---' line after it",
                line=1,
                column=1,
            ),
        )
        return record
    front = text[opening.end() : closing.start()]
    closing_line = 1 + text.count("\n", 0, closing.start())
    body_start = closing.end()
    if text.startswith("\r\n", body_start):
        body_start += 2
    elif text.startswith("\n", body_start):
        body_start += 1
    record = Record(path, 0, 1, "markdown", body=text[body_start:], body_line=closing_line + 1)
    if len(front.encode("utf-8", errors="replace")) > limits.max_front_matter_bytes:
        record.add_load_problem(
            "input/too-large",
            Problem(
                f"front matter is over {limits.max_front_matter_bytes:,} bytes; not parsed "
                "(raise limits.max-front-matter-bytes if it is genuine)",
                line=2,
                column=1,
                end_line=closing_line - 1,
            ),
        )
        return record
    fast = fast_load(front, limits.yaml)
    if fast is not None:
        record.data = fast
        record._position_source = lambda: _positions(front, limits)
        return record
    # The reference parser (PyYAML) is imported only for front matter the fast path leaves.
    from validator.load.yaml_tree import YamlRefused, load_yaml

    try:
        document = load_yaml(front, 2, limits.yaml)
    except YamlRefused as refused:
        record.add_load_problem(refused.slug, refused.problem)
        return record
    for slug, problem in document.problems:
        record.add_load_problem(slug, problem)
    if document.value is None:
        record.add_load_problem(
            "input/front-matter-not-mapping",
            Problem("front matter is empty: a news record needs its fields", line=1, column=1),
        )
    elif not isinstance(document.value, dict):
        kind = "a list" if isinstance(document.value, list) else "a single value"
        record.add_load_problem(
            "input/front-matter-not-mapping",
            Problem(f"front matter is {kind}, not a mapping of fields", line=2, column=1),
        )
    else:
        record.data = document.value
        record._positions = document.positions
    return record


def _positions(front: str, limits: InputLimits) -> PositionIndex:
    """Positions for a record read by the fast path, computed only when a finding needs one."""
    from validator.load.yaml_tree import YamlRefused, load_positions

    try:
        return load_positions(front, 2, limits.yaml)
    except YamlRefused:  # pragma: no cover - the fast path accepted it, so it parses
        return {}

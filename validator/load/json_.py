"""JSON (one object or an array of them) and JSON lines records; the body is key "body"."""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from validator.findings import Problem
from validator.load.source import InputLimits, SourceLine, YamlLimits
from validator.load.yaml_tree import (
    MAX_INT_BITS,
    YamlDocument,
    YamlRefused,
    comparable_key,
    load_yaml,
)
from validator.records import Position, PositionIndex, Record

# A JSON surrogate escape (\\ud800 to \\udfff) is not valid YAML; for the position pass only, it is
# replaced by as many plain characters, so every line and column stays where it was.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
# Characters JSON strings may hold raw but YAML refuses (U+007F to U+009F, U+FFFE, U+FFFF) or
# reads as line breaks (U+0085, U+2028, U+2029, which would shift every line after them):
# each becomes its own private-use character, so keys stay distinct and columns stay put.
_NOT_YAML_TEXT = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_YAML_SAFE = {
    code: 0xE000 + n for n, code in enumerate([*range(0x7F, 0xA0), 0x2028, 0x2029, 0xFFFE, 0xFFFF])
}


class _DuplicateKeys:
    """object_pairs_hook that keeps the last value (as json does) and notes duplicates."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.surrogates = False  # lone surrogate escapes were replaced

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                self.keys.append(key)
            result[key] = value
        if not "".join(result).isascii():  # one C-level check; ASCII keys are already distinct
            self._note_unicode_forms(result)
        return result

    def _note_unicode_forms(self, result: dict[str, Any]) -> None:
        """Keys equal once normalised ('é' composed or not) look identical: duplicates too."""
        seen: set[str] = set()
        for key in result:
            comparable = comparable_key(key)
            if comparable in seen:
                self.keys.append(key)
            seen.add(comparable)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _inspect(value: Any, max_depth: int) -> tuple[bool, bool, bool]:
    """(nested too deep, holds a huge integer, holds a lone surrogate) in one walk."""
    deep = huge = surrogate = False
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                deep = True
                break
            if isinstance(item, dict):
                surrogate = surrogate or any(_LONE_SURROGATE.search(k) for k in item)
                children = list(item.values())
            else:
                children = item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, int) and not isinstance(item, bool):
            huge = huge or item.bit_length() > MAX_INT_BITS
        elif isinstance(item, str) and not surrogate:
            surrogate = _LONE_SURROGATE.search(item) is not None
    return deep, huge, surrogate


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value


class _Unreadable(Exception):
    def __init__(self, slug: str, problem: Problem) -> None:
        super().__init__(problem.message)
        self.slug = slug
        self.problem = problem


class _NotJsonConstant(Exception):
    """NaN, Infinity or -Infinity: Python's json reads them, JSON does not have them."""


def _refuse_constant(name: str) -> Any:
    raise _NotJsonConstant(name)


# A JSON string, skipped whole, or (group 1) one of the constants JSON does not have.
_STRING_OR_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')
# A JSON string, skipped whole, or (group 1) an integer long enough to be over MAX_INT_BITS.
_STRING_OR_LONG_INTEGER = re.compile(r'"(?:[^"\\]|\\.)*"|(-?[0-9]{77,})(?![.eE0-9])')


def _place(text: str, pattern: re.Pattern[str], line_offset: int) -> tuple[int, int]:
    """(line, column) of the first match of ``pattern``'s group 1 outside JSON strings, or
    the text's start; used only on the rare paths that refuse a record."""
    offset = 0
    for match in pattern.finditer(text):
        if match.group(1) is not None:
            offset = match.start(1)
            break
    line_start = text.rfind("\n", 0, offset) + 1
    return line_offset + text.count("\n", 0, offset) + 1, offset - line_start + 1


def _constant_problem(text: str, name: str, line_offset: int) -> Problem:
    line, column = _place(text, _STRING_OR_CONSTANT, line_offset)
    return Problem(
        f"JSON syntax error: {name} is not JSON (strict readers refuse the file); write a "
        "number, or null",
        line=line,
        column=column,
    )


class _InfiniteFloat(Exception):
    """A number such as 1e400, valid JSON that Python reads as infinity."""


def _finite_float(literal: str) -> float:
    value = float(literal)
    if value in (math.inf, -math.inf):
        raise _InfiniteFloat(literal)
    return value


def _infinite_float_problem(text: str, literal: str, line_offset: int) -> Problem:
    number = re.compile(rf'"(?:[^"\\]|\\.)*"|(?<![0-9.eE+-])({re.escape(literal)})(?![0-9.eE])')
    line, column = _place(text, number, line_offset)
    return Problem(
        f"JSON number {literal} is too large to be read (it would become infinity); no news "
        "field needs one: write it as a string if it is an identifier",
        line=line,
        column=column,
    )


def _huge_integer_problem(text: str, line_offset: int) -> Problem:
    line, column = _place(text, _STRING_OR_LONG_INTEGER, line_offset)
    return Problem(
        f"JSON holds an integer of more than {MAX_INT_BITS} bits; no news field needs one: "
        "write it as a string if it is an identifier",
        line=line,
        column=column,
    )


def _for_the_author(message: str) -> str:
    """json's message, with its advice for Python programmers replaced."""
    if message.startswith("Unexpected UTF-8 BOM"):  # "(decode using utf-8-sig)"
        return "a byte-order mark (U+FEFF) starts the record; remove it"
    return message


def _parse(text: str, line_offset: int, limits: InputLimits) -> tuple[Any, _DuplicateKeys]:
    hook = _DuplicateKeys()
    first = line_offset + 1
    try:
        value = json.loads(
            text,
            object_pairs_hook=hook,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,  # called only for numbers with a '.' or an exponent
        )
    except _InfiniteFloat as infinite:
        problem = _infinite_float_problem(text, str(infinite), line_offset)
        raise _Unreadable("input/yaml-limits", problem) from None
    except _NotJsonConstant as constant:
        name = str(constant)
        raise _Unreadable("input/json-syntax", _constant_problem(text, name, line_offset)) from None
    except json.JSONDecodeError as error:
        raise _Unreadable(
            "input/json-syntax",
            Problem(
                f"JSON syntax error: {_for_the_author(error.msg)}",
                line=error.lineno + line_offset,
                column=error.colno,
            ),
        ) from None
    except RecursionError:
        raise _Unreadable(
            "input/yaml-limits", Problem("JSON nests too deeply to read", line=first, column=1)
        ) from None
    except ValueError:  # an integer over Python's digit limit, far over MAX_INT_BITS
        raise _Unreadable("input/yaml-limits", _huge_integer_problem(text, line_offset)) from None
    deep, huge, surrogate = _inspect(value, limits.yaml.max_depth)
    if deep:
        raise _Unreadable(
            "input/yaml-limits",
            Problem(f"JSON nests deeper than {limits.yaml.max_depth} levels", line=first, column=1),
        )
    if huge:
        raise _Unreadable("input/yaml-limits", _huge_integer_problem(text, line_offset))
    if surrogate:  # "\ud800" alone is valid JSON but not text: it cannot be printed or stored
        hook.surrogates = True
        value = _without_surrogates(value)
    return value, hook


class _DocumentPositions:
    """Positions of a whole JSON file, read once (as YAML) on first use and shared by its
    records; if that reading fails, every pointer falls back to its record's line."""

    def __init__(self, text: str, max_depth: int) -> None:
        self.text = text
        # The JSON was read within max_depth; aliases cannot occur in it and its size is
        # bounded by limits.max-file-bytes, so the YAML node limit (against alias expansion)
        # would only drop the positions of a large file.
        self._limits = YamlLimits(max_depth=max_depth, max_aliases=0, max_nodes=sys.maxsize)
        self._document: YamlDocument | None = None
        self._by_record: dict[str, dict[str, Position]] | None = None

    def document(self) -> YamlDocument | None:
        if self._document is None:
            masked = _SURROGATE_ESCAPE.sub(lambda m: "x" * len(m.group()), self.text)
            if _NOT_YAML_TEXT.search(masked) is not None:
                masked = masked.translate(_YAML_SAFE)
            try:
                self._document = load_yaml(masked, 1, self._limits)
            except YamlRefused:
                self._document = YamlDocument(None, {})
        return self._document if self._document.value is not None else None

    def for_record(self, prefix: str) -> PositionIndex:
        document = self.document()
        if document is None:
            return {}
        if not prefix:
            return document.positions
        if self._by_record is None:
            grouped: dict[str, dict[str, Position]] = {}
            for pointer, position in document.positions.items():
                head, _, rest = pointer[1:].partition("/")
                grouped.setdefault(f"/{head}", {})["/" + rest if rest else ""] = position
            self._by_record = grouped
        return self._by_record.get(prefix, {})

    def source(self, prefix: str) -> Callable[[], PositionIndex]:
        return lambda: self.for_record(prefix)


def _json_kind(value: Any) -> str:
    """The JSON name of a value's type (the author wrote JSON, not Python)."""
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: a bool is an int in Python
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string" if isinstance(value, str) else "array"


def _make_record(value: Any, path: str, index: int, line: int, fmt: str) -> Record:
    # These problems give no line: the engine places them at their pointer's position, known
    # for an element of a JSON array only once the position pass has run.
    record = Record(path, index, line, fmt, body_lines_map_to_record=True)
    if not isinstance(value, dict):
        record.add_load_problem(
            "input/front-matter-not-mapping",
            Problem(f"record is a JSON {_json_kind(value)}, not an object"),
        )
        return record
    data = dict(value)
    body = data.pop("body", None)
    if body is not None and not isinstance(body, str):
        record.add_load_problem(
            "input/front-matter-not-mapping",
            Problem("the 'body' field must be a string", pointer="/body"),
        )
        body = None
    record.data = data
    record.body = body
    return record


def _unreadable_record(path: str, index: int, fmt: str, refused: _Unreadable) -> Record:
    record = Record(path, index, refused.problem.line or 1, fmt, readable=False)
    record.add_load_problem(refused.slug, refused.problem)
    return record


def _empty(path: str, fmt: str, message: str) -> list[Record]:
    record = Record(path, 0, 1, fmt, readable=False)
    record.add_load_problem("input/front-matter-not-mapping", Problem(message, line=1, column=1))
    return [record]


def load_json(text: str, path: str, limits: InputLimits) -> list[Record]:
    try:
        value, parsed = _parse(text, 0, limits)
    except _Unreadable as refused:
        return [_unreadable_record(path, 0, "json", refused)]
    duplicates = parsed.keys
    positions = _DocumentPositions(text, limits.yaml.max_depth)
    is_array = isinstance(value, list)
    items = value if is_array else [value]
    records = []
    for index, item in enumerate(items):
        prefix = f"/{index}" if is_array else ""
        record = _make_record(item, path, index, 1, "json")
        record._position_source = positions.source(prefix)
        if is_array:
            record.line = record.locate("").line
        records.append(record)
    if not records:
        return _empty(path, "json", "JSON file holds an empty array: no records")
    if duplicates:
        _attach_duplicates(records, positions, is_array, duplicates)
    if parsed.surrogates:
        _attach_surrogate(records, text)
    return records


def _surrogate_problem(line: int, column: int = 1) -> Problem:
    return Problem(
        "a \\uD800-\\uDFFF escape stands alone (half of a UTF-16 pair): it is not text; it "
        "was read as U+FFFD - fix the escape",
        line=line,
        column=column,
    )


# A high surrogate escape without a low one after it, or a low one without a high one before.
_LONE_SURROGATE_ESCAPE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def _attach_surrogate(records: list[Record], text: str) -> None:
    """Report the first lone surrogate escape on the record that holds it, at the escape."""
    found = _LONE_SURROGATE_ESCAPE.search(text)
    if found is None:  # pragma: no cover - json found one, so its escape is in the text
        records[0].add_load_problem("input/encoding", _surrogate_problem(1))
        return
    offset = found.start()
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    holder = records[0]
    for record in records:  # in file order: the last one starting at or before the escape
        start = record.locate("")
        if (start.line, start.column) > (line, column):
            break
        holder = record
    holder.add_load_problem("input/encoding", _surrogate_problem(line, column))


def _attach_duplicates(
    records: list[Record], positions: _DocumentPositions, is_array: bool, keys: list[str]
) -> None:
    """Place JSON duplicate keys at their line and record, found by the position pass."""
    document = positions.document()
    problems = (
        [p for slug, p in document.problems if slug == "input/duplicate-key"] if document else []
    )
    if not problems:
        records[0].add_load_problem(
            "input/duplicate-key",
            Problem(
                f"duplicate key(s) {_names(keys)} in a JSON object; keep one", line=1, column=1
            ),
        )
        return
    for problem in problems:
        index = 0
        pointer = problem.pointer
        if is_array:
            head, _, rest = pointer[1:].partition("/")
            index = int(head) if head.isdigit() and int(head) < len(records) else 0
            pointer = "/" + rest if rest else ""
        records[index].add_load_problem(
            "input/duplicate-key",
            Problem(problem.message, pointer=pointer, line=problem.line, column=problem.column),
        )


def load_jsonl(text: str, path: str, limits: InputLimits) -> list[Record]:
    """The records of a JSON lines file read whole (UTF-16 or UTF-32 with a byte-order mark)."""
    lines = (SourceLine(number, raw) for number, raw in enumerate(text.split("\n"), start=1))
    return list(iter_jsonl(lines, path, limits))


def iter_jsonl(lines: Iterable[SourceLine], path: str, limits: InputLimits) -> Iterator[Record]:
    """One record per non-blank line, made as each line arrives (a JSON lines file is read
    while it is checked); a line that could not be read is an unreadable record of its own."""
    index = 0
    for line in lines:
        record = _line_record(line, path, index, limits)
        if record is not None:
            index += 1
            yield record
    if index == 0:
        yield from _empty(path, "jsonl", "JSON lines file holds no records")


def _line_record(
    source_line: SourceLine, path: str, index: int, limits: InputLimits
) -> Record | None:
    number = source_line.number
    if source_line.text is None:
        record = Record(path, index, number, "jsonl", readable=False)
    else:
        line = source_line.text.rstrip("\r")
        if not line.strip():
            return None
        try:
            value, parsed = _parse(line, number - 1, limits)
        except _Unreadable as refused:
            record = _unreadable_record(path, index, "jsonl", refused)
        else:
            record = _make_record(value, path, index, number, "jsonl")
            record._positions = {"": Position(number, 1)}
            if parsed.surrogates:
                record.add_load_problem("input/encoding", _surrogate_problem(number))
            if parsed.keys:
                record.add_load_problem(
                    "input/duplicate-key",
                    Problem(
                        f"duplicate key(s) {_names(parsed.keys)} in this JSON object; keep one",
                        line=number,
                        column=1,
                    ),
                )
    for slug, problem in source_line.problems:  # not UTF-8, or not read at all
        record.add_load_problem(slug, problem)
    return record


def _names(keys: list[str]) -> str:
    return ", ".join(repr(key) for key in dict.fromkeys(keys))

"""JSON (one object or an array of them) and JSON lines records; the body is key "body"."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from validator.findings import Problem
from validator.load.source import InputLimits
from validator.load.yaml_tree import YamlRefused, load_yaml
from validator.records import Position, PositionIndex, Record


class _DuplicateKeys:
    """object_pairs_hook that keeps the last value (as json does) and remembers duplicates."""

    def __init__(self) -> None:
        self.duplicates: list[str] = []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                self.duplicates.append(key)
            result[key] = value
        return result


def _parse(text: str) -> tuple[Any, list[str]]:
    hook = _DuplicateKeys()
    return json.loads(text, object_pairs_hook=hook), hook.duplicates


def _json_error_problem(error: json.JSONDecodeError, line_offset: int = 0) -> Problem:
    return Problem(
        f"JSON syntax error: {error.msg}",
        line=error.lineno + line_offset,
        column=error.colno,
    )


def _positions_from(text: str, prefix: str, fallback_line: int) -> Callable[[], PositionIndex]:
    """Positions for a JSON document, computed lazily by reading it as YAML (JSON is a
    subset in practice); if that fails every pointer falls back to the record's line."""

    def compute() -> PositionIndex:
        try:
            document = load_yaml(text, 1, _POSITION_LIMITS)
        except YamlRefused:
            return {}
        if not prefix:
            return document.positions
        cut = len(prefix)
        return {
            pointer[cut:]: position
            for pointer, position in document.positions.items()
            if pointer.startswith(prefix + "/") or pointer == prefix
        } | {"": document.positions.get(prefix, Position(fallback_line, 1))}

    return compute


def _make_record(
    value: Any, path: str, index: int, line: int, fmt: str, limits: InputLimits
) -> Record:
    record = Record(path, index, line, fmt, body_lines_map_to_record=True)
    if not isinstance(value, dict):
        record.add_load_problem(
            "input/front-matter-not-mapping",
            Problem(f"record is a JSON {type(value).__name__}, not an object", line=line, column=1),
        )
        return record
    data = dict(value)
    body = data.pop("body", None)
    if body is not None and not isinstance(body, str):
        record.add_load_problem(
            "input/front-matter-not-mapping",
            Problem("the 'body' field must be a string", pointer="/body", line=line, column=1),
        )
        body = None
    record.data = data
    record.body = body
    return record


def load_json(text: str, path: str, limits: InputLimits) -> list[Record]:
    try:
        value, duplicates = _parse(text)
    except json.JSONDecodeError as error:
        record = Record(path, 0, error.lineno, "json", readable=False)
        record.add_load_problem("input/json-syntax", _json_error_problem(error))
        return [record]
    except RecursionError:
        record = Record(path, 0, 1, "json", readable=False)
        record.add_load_problem(
            "input/yaml-limits", Problem("JSON nests too deeply to read", line=1, column=1)
        )
        return [record]
    items = value if isinstance(value, list) else [value]
    records = []
    for index, item in enumerate(items):
        prefix = f"/{index}" if isinstance(value, list) else ""
        record = _make_record(item, path, index, 1, "json", limits)
        record._position_source = _positions_from(text, prefix, 1)
        record.line = record.locate("").line if prefix else 1
        records.append(record)
    if not records:
        record = Record(path, 0, 1, "json", readable=False)
        record.add_load_problem(
            "input/front-matter-not-mapping",
            Problem("JSON file holds an empty array: no records", line=1, column=1),
        )
        records.append(record)
    if duplicates:
        for key in duplicates:
            records[0].add_load_problem(
                "input/duplicate-key",
                Problem(f"duplicate key {key!r} in JSON object; keep one", line=1, column=1),
            )
    return records


def load_jsonl(text: str, path: str, limits: InputLimits) -> list[Record]:
    records: list[Record] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        index = len(records)
        try:
            value, duplicates = _parse(line)
        except json.JSONDecodeError as error:
            record = Record(path, index, number, "jsonl", readable=False)
            record.add_load_problem("input/json-syntax", _json_error_problem(error, number - 1))
            records.append(record)
            continue
        except RecursionError:
            record = Record(path, index, number, "jsonl", readable=False)
            record.add_load_problem(
                "input/yaml-limits",
                Problem("JSON line nests too deeply to read", line=number, column=1),
            )
            records.append(record)
            continue
        record = _make_record(value, path, index, number, "jsonl", limits)
        record._positions = {"": Position(number, 1)}
        for key in duplicates:
            record.add_load_problem(
                "input/duplicate-key",
                Problem(f"duplicate key {key!r} in JSON object; keep one", line=number, column=1),
            )
        records.append(record)
    if not records:
        record = Record(path, 0, 1, "jsonl", readable=False)
        record.add_load_problem(
            "input/front-matter-not-mapping",
            Problem("JSON lines file holds no records", line=1, column=1),
        )
        records.append(record)
    return records


_POSITION_LIMITS = InputLimits().yaml

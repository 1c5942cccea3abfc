"""A record as the rules see it: its fields, its body, and where each part sits in the file."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import count, repeat
from typing import Any

from validator.findings import Problem


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    column: int
    end_line: int | None = None


PositionIndex = Mapping[str, Position]


@dataclass
class Record:
    """One news record.

    ``data`` is the front matter (or the JSON object without its body), or None when the
    record has none or it could not be read. ``body`` is None when the record has no body
    field at all (JSON without "body") or when the file could not be read.
    """

    path: str
    index: int
    line: int
    format: str
    data: dict[str, Any] | None = None
    body: str | None = None
    body_line: int = 1
    body_lines_map_to_record: bool = False
    readable: bool = True
    # Problems found while loading, keyed by the input/ rule slug that reports them.
    load_problems: dict[str, list[Problem]] = field(default_factory=dict)
    _positions: PositionIndex | None = None
    _position_source: Callable[[], PositionIndex] | None = None
    _body_lines: list[str] | None = None
    _body_texts: list[str] | None = None  # _body_lines without their '\r'
    # Derived data several rules of one record need (boilerplate hits): computed once.
    memo: dict[Any, Any] = field(default_factory=dict)

    def remember(self, key: Any, compute: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def add_load_problem(self, slug: str, problem: Problem) -> None:
        self.load_problems.setdefault(slug, []).append(problem)

    @property
    def positions(self) -> PositionIndex:
        # JSON positions are computed only when a finding needs them.
        if self._positions is None:
            self._positions = self._position_source() if self._position_source else {}
        return self._positions

    def locate(self, pointer: str) -> Position:
        """The position of ``pointer``, or of its nearest ancestor that has one."""
        positions = self.positions
        probe = pointer
        while True:
            found = positions.get(probe)
            if found is not None:
                return found
            if not probe:
                return Position(self.line, 1)
            probe = probe.rpartition("/")[0]

    def body_file_line(self, body_line_index: int) -> int:
        """File line of the body's line ``body_line_index`` (0-based)."""
        if self.body_lines_map_to_record:
            return self.locate("/body").line
        return self.body_line + body_line_index

    def body_line_list(self) -> list[str]:
        """The body's lines (split once per record: several rules and every finding use them)."""
        if self._body_lines is None:
            self._body_lines = self.body.split("\n") if self.body else []
        return self._body_lines

    def iter_body_lines(self) -> Iterator[tuple[int, str]]:
        """(file line, text) for each body line, line endings removed."""
        if not self.body:
            return iter(())
        if self._body_texts is None:
            lines = self.body_line_list()
            self._body_texts = [t.rstrip("\r") for t in lines] if "\r" in self.body else lines
        if self.body_lines_map_to_record:
            return zip(repeat(self.locate("/body").line), self._body_texts)
        return zip(count(self.body_line), self._body_texts)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default) if self.data is not None else default


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")

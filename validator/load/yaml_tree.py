"""Build front-matter values from libyaml's event stream, with positions and limits.

Building from events (not PyYAML's composer) keeps the walk iterative, so deep nesting
cannot overflow the C stack; aliases are counted and their expansion bounded, so a
"billion laughs" document is refused quickly; duplicate keys are reported; timestamps
stay the strings the author wrote; and every key gets a file position for its pointer.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev

from validator.findings import Problem
from validator.load.source import YamlLimits
from validator.records import Position, escape_pointer_token

try:  # libyaml's C parser; the pure-Python one is used only where libyaml is missing.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
# Integers past this many bits (about 77 digits) are no news value: base-60, hex and binary
# literals can encode huge numbers that other code cannot even print; they are kept as text.
MAX_INT_BITS = 256
_SCALAR_BUILDERS = {
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
}
# Kept as the text the author wrote: a timestamp stays equal to its text, binary stays base64.
_TEXT_TAGS = {_STR, "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}
_MAP_TAGS = {None, "!", "tag:yaml.org,2002:map"}
_SEQ_TAGS = {None, "!", "tag:yaml.org,2002:seq"}


class YamlRefused(Exception):
    """The document is syntactically broken or exceeds a limit; carries slug and problem."""

    def __init__(self, slug: str, problem: Problem) -> None:
        super().__init__(problem.message)
        self.slug = slug
        self.problem = problem


@dataclass
class YamlDocument:
    value: Any
    positions: dict[str, Position]
    # (slug, problem) pairs that did not stop loading: duplicate keys, unsupported tags.
    problems: list[tuple[str, Problem]] = field(default_factory=list)


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    pointer: str
    anchor: str | None
    nodes_at_start: int
    # The key's text; a list or mapping key is kept as itself until complete (see _attach).
    key: str | dict[str, Any] | list[Any] | None = None
    key_mark: Any = None
    seen: dict[str, tuple[str, int]] | None = None  # comparable key: (key, line)


def load_yaml(text: str, first_line: int, limits: YamlLimits) -> YamlDocument:
    """Parse one YAML document; ``first_line`` is the file line of the text's first line."""
    builder = _Builder(first_line, limits)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + mark.line if mark else first_line
        column = mark.column + 1 if mark else 1
        what = error.problem or str(error)
        if error.context:
            what = f"{error.context}: {what}"
        raise YamlRefused(
            "input/yaml-syntax",
            Problem(f"YAML syntax error: {what}", line=line, column=column),
        ) from None
    except yaml.reader.ReaderError as error:
        code = ord(error.character) if isinstance(error.character, str) else error.character
        before = text[: error.position]
        line = first_line + before.count("\n")
        column = error.position - (before.rfind("\n") + 1) + 1
        raise YamlRefused(
            "input/yaml-syntax",
            Problem(
                f"YAML cannot contain the character U+{code:04X} ({error.reason}); remove it",
                line=line,
                column=column,
            ),
        ) from None
    except yaml.YAMLError as error:
        raise YamlRefused(
            "input/yaml-syntax", Problem(f"YAML error: {error}", line=first_line, column=1)
        ) from None
    return YamlDocument(builder.root, builder.positions, builder.problems)


class _Builder:
    def __init__(self, first_line: int, limits: YamlLimits) -> None:
        self.first_line = first_line
        self.limits = limits
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.positions: dict[str, Position] = {}
        self.problems: list[tuple[str, Problem]] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        self.aliases = 0
        self.documents = 0

    def _position(self, mark: Any, end_mark: Any = None) -> Position:
        end = self.first_line + end_mark.line if end_mark is not None else None
        return Position(self.first_line + mark.line, mark.column + 1, end)

    def _count(self, nodes: int, mark: Any) -> None:
        self.nodes += nodes
        if self.nodes > self.limits.max_nodes:
            raise YamlRefused(
                "input/yaml-limits",
                Problem(
                    f"front matter expands to more than {self.limits.max_nodes} values "
                    "(aliases or sheer size); refused without expanding it",
                    line=self.first_line + mark.line,
                    column=mark.column + 1,
                ),
            )

    def feed(self, event: Any) -> None:
        if isinstance(event, ev.ScalarEvent):
            self._count(1, event.start_mark)
            value = self._scalar(event)
            self._register(event.anchor, value, 1)
            self._attach(value, event.start_mark, event.end_mark)
        elif isinstance(event, (ev.MappingStartEvent, ev.SequenceStartEvent)):
            self._start(event)
        elif isinstance(event, (ev.MappingEndEvent, ev.SequenceEndEvent)):
            frame = self.stack.pop()
            if frame.key is not None:  # a mapping ended on a key without value: cannot happen
                frame.key = None
            self._register(frame.anchor, frame.container, self.nodes - frame.nodes_at_start + 1)
            self._close(frame, event.end_mark)
        elif isinstance(event, ev.AliasEvent):
            self._alias(event)
        elif isinstance(event, ev.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                mark = event.start_mark
                raise YamlRefused(
                    "input/yaml-syntax",
                    Problem(
                        "front matter holds more than one YAML document",
                        line=self.first_line + (mark.line if mark is not None else 0),
                        column=1,
                    ),
                )

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        if tag in _TEXT_TAGS:
            return event.value
        builder = _SCALAR_BUILDERS.get(tag)
        if builder is None:
            self._unsupported(tag, event.start_mark)
            return event.value
        try:
            value = builder(yaml.ScalarNode(tag, event.value))
            if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
                raise ValueError("integer too large")
            if isinstance(value, float) and math.isinf(value) and ".inf" not in event.value.lower():
                raise ValueError("float too large")  # '1.0e+400'; '.inf' means infinity
            return value
        except (ValueError, KeyError, IndexError):
            # '!!int abc', or an integer over Python's digit limit: kept as text, reported
            mark = event.start_mark
            shown = event.value if len(event.value) <= 40 else event.value[:39] + "…"
            self.problems.append(
                (
                    "input/yaml-tag",
                    Problem(
                        f"{shown!r} cannot be read as {tag.rsplit(':', 1)[-1]}; it was kept "
                        "as text",
                        line=self.first_line + mark.line,
                        column=mark.column + 1,
                    ),
                )
            )
            return event.value

    def _unsupported(self, tag: str, mark: Any) -> None:
        self.problems.append(
            (
                "input/yaml-tag",
                Problem(
                    f"unsupported YAML tag {tag!r}: newslint reads it as plain text and "
                    "never constructs objects from tags; remove the tag",
                    line=self.first_line + mark.line,
                    column=mark.column + 1,
                ),
            )
        )

    def _start(self, event: Any) -> None:
        self._count(1, event.start_mark)
        if len(self.stack) >= self.limits.max_depth:
            raise YamlRefused(
                "input/yaml-limits",
                Problem(
                    f"front matter nests deeper than {self.limits.max_depth} levels",
                    line=self.first_line + event.start_mark.line,
                    column=event.start_mark.column + 1,
                ),
            )
        is_map = isinstance(event, ev.MappingStartEvent)
        if event.tag not in (_MAP_TAGS if is_map else _SEQ_TAGS):
            self._unsupported(event.tag, event.start_mark)
        container: dict[str, Any] | list[Any] = {} if is_map else []
        pointer = self._attach(container, event.start_mark, None)
        self.stack.append(
            _Frame(container, pointer, event.anchor, self.nodes, seen={} if is_map else None)
        )

    def _alias(self, event: Any) -> None:
        self.aliases += 1
        mark = event.start_mark
        if self.aliases > self.limits.max_aliases:
            raise YamlRefused(
                "input/yaml-limits",
                Problem(
                    f"front matter uses more than {self.limits.max_aliases} YAML aliases",
                    line=self.first_line + mark.line,
                    column=mark.column + 1,
                ),
            )
        if event.anchor not in self.anchors:
            raise YamlRefused(
                "input/yaml-syntax",
                Problem(
                    f"YAML alias *{event.anchor} refers to no complete anchor before it",
                    line=self.first_line + mark.line,
                    column=mark.column + 1,
                ),
            )
        value, weight = self.anchors[event.anchor]
        # The value is shared, not copied; its weight still counts as if expanded.
        self._count(weight, mark)
        self._attach(value, mark, event.end_mark)

    def _register(self, anchor: str | None, value: Any, weight: int) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, weight)

    def _attach(self, value: Any, mark: Any, end_mark: Any) -> str:
        """Put ``value`` into the open container; returns the value's JSON pointer."""
        if not self.stack:
            self.root = value
            return ""
        frame = self.stack[-1]
        container = frame.container
        if isinstance(container, list):
            pointer = f"{frame.pointer}/{len(container)}"
            container.append(value)
            self.positions[pointer] = self._position(mark, end_mark)
            return pointer
        if frame.key is None:
            frame.key = self._key(value, mark)
            frame.key_mark = mark
            return frame.pointer
        key_mark = frame.key_mark
        key = frame.key if isinstance(frame.key, str) else repr(frame.key)  # now complete
        frame.key = None
        pointer = f"{frame.pointer}/{escape_pointer_token(key)}"
        assert frame.seen is not None
        comparable = comparable_key(key)
        if comparable in frame.seen:
            first_key, first_line = frame.seen[comparable]
            form = "" if first_key == key else f" as {first_key!r}, in another Unicode form"
            self.problems.append(
                (
                    "input/duplicate-key",
                    Problem(
                        f"duplicate key {key!r} (first at line {first_line}{form}); YAML "
                        "readers disagree on which value wins: keep one",
                        pointer=pointer,
                        line=self.first_line + key_mark.line,
                        column=key_mark.column + 1,
                    ),
                )
            )
        else:
            frame.seen[comparable] = (key, self.first_line + key_mark.line)
        container[key] = value
        self.positions[pointer] = self._position(key_mark, end_mark)
        return pointer

    def _key(self, value: Any, mark: Any) -> str | dict[str, Any] | list[Any]:
        if isinstance(value, (dict, list)):
            self.problems.append(
                (
                    "input/yaml-tag",
                    Problem(
                        "a mapping or list used as a key; news records use text keys",
                        line=self.first_line + mark.line,
                        column=mark.column + 1,
                    ),
                )
            )
            return value  # still empty: its text is taken once its value comes
        if isinstance(value, bool):
            return "true" if value else "false"
        return "null" if value is None else str(value)

    def _close(self, frame: _Frame, end_mark: Any) -> None:
        if frame.pointer in self.positions:
            start = self.positions[frame.pointer]
            self.positions[frame.pointer] = Position(
                start.line, start.column, self.first_line + end_mark.line
            )


def comparable_key(key: str) -> str:
    """The key as readers compare it: 'é' as one code point or as 'e' and an accent (and
    'K' and KELVIN SIGN) look identical, so they are one key written twice."""
    return key if key.isascii() else unicodedata.normalize("NFC", key)


class _NeedsFullBuild(Exception):
    pass


def load_positions(text: str, first_line: int, limits: YamlLimits) -> dict[str, Position]:
    """``load_yaml(text, first_line, limits).positions``, found with less work.

    A position depends only on the keys and on where nodes start and end, so this walk
    builds no values but keys. A document it is not sure of (an anchor or alias, a key that
    is not a scalar, a second document, a limit or a syntax error) takes the full build,
    which also raises what that raises.
    """
    try:
        return _walk_positions(text, first_line, limits)
    except (_NeedsFullBuild, yaml.YAMLError):
        return load_yaml(text, first_line, limits).positions


def _walk_positions(text: str, first_line: int, limits: YamlLimits) -> dict[str, Position]:
    keys = _Builder(first_line, limits)  # its _scalar and _key turn a key into text
    positions: dict[str, Position] = {}
    # One frame per open collection: [pointer, is mapping, items so far, key, key's mark].
    stack: list[list[Any]] = []
    nodes = documents = 0
    event: Any  # the stubs type events too loosely for their marks and anchors
    for event in yaml.parse(text, Loader=_Loader):
        kind = type(event)
        if kind is ev.ScalarEvent or kind is ev.MappingStartEvent or kind is ev.SequenceStartEvent:
            scalar = kind is ev.ScalarEvent
            nodes += 1
            if (
                event.anchor is not None
                or nodes > limits.max_nodes
                or (not scalar and len(stack) >= limits.max_depth)
            ):
                raise _NeedsFullBuild
            pointer = ""
            if stack:
                frame = stack[-1]
                mark = event.start_mark
                if not frame[1]:
                    pointer = f"{frame[0]}/{frame[2]}"
                    frame[2] += 1
                elif frame[3] is None:
                    if not scalar:
                        raise _NeedsFullBuild  # a collection as a key
                    frame[3] = keys._key(keys._scalar(event), mark)
                    frame[4] = mark
                    continue
                else:
                    pointer = f"{frame[0]}/{escape_pointer_token(frame[3])}"
                    mark = frame[4]
                    frame[3] = None
                end = first_line + event.end_mark.line if scalar else None
                positions[pointer] = Position(first_line + mark.line, mark.column + 1, end)
            if not scalar:
                stack.append([pointer, kind is ev.MappingStartEvent, 0, None, None])
        elif kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
            pointer = stack.pop()[0]
            start = positions.get(pointer)
            if start is not None:
                positions[pointer] = Position(
                    start.line, start.column, first_line + event.end_mark.line
                )
        elif kind is ev.AliasEvent:
            raise _NeedsFullBuild
        elif kind is ev.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _NeedsFullBuild
    return positions

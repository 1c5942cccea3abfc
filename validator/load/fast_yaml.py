"""A fast path for plain front matter: yaml-rs (Rust) instead of libyaml plus Python.

yaml-rs reads YAML 1.2 and PyYAML reads YAML 1.1, which differ on some plain scalars
('yes', '012', '1e3', '1:20'), on merge keys, tags and anchors. The fast path is therefore
taken only for documents whose every line has a shape on which both agree: indented
`key: value` or `- value` lines whose values are quoted strings with common escapes, true,
false, null, plain decimal numbers, dates, or plain text that starts with a letter and is
not a 1.1 boolean word. Anything else - and any document yaml-rs refuses (syntax errors,
duplicate keys) - goes to the reference builder in yaml_tree, which also supplies positions
when a finding needs them. tests/load/test_fast_yaml.py checks both give the same values.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Any

from validator.load.source import ASCII_CONTROL_BYTES, YamlLimits

try:
    import yaml_rs
except ImportError:  # pragma: no cover - an optional speed-up
    yaml_rs = None  # type: ignore[assignment]

_BOOL_WORDS = r"(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)"
# A key or plain word starts with a letter, after any underscores: yaml-rs drops underscores
# from numbers, so it read '_5' as the integer 5 where YAML 1.1 reads the text '_5'.
_KEY = r"(?!(?i:yes|no|on|off|y|n|true|false|null)[ \t]*:)_*[A-Za-z][A-Za-z0-9_\-]*"
# Written as "unrolled loops" (runs of a character class) so the whole document is one fast
# C-level match: per-character alternations made this gate slower than parsing.
_NOT_BREAK = r"\n\x85\u2028\u2029"
_DOUBLE = rf'"[^"\\{_NOT_BREAK}]*(?:(?:\\["\\/bfnrt]|\\u(?![dD][89a-fA-F])[0-9a-fA-F]{{4}})[^"\\{_NOT_BREAK}]*)*"'
_SINGLE = rf"'[^'{_NOT_BREAK}]*(?:''[^'{_NOT_BREAK}]*)*'"
_WORD = rf"[^\s:#{_NOT_BREAK[2:]}]"  # \s already holds \n


def _line_pattern(double: str, single: str, word: str) -> str:
    # The rest of a plain scalar: no ': ' (a mapping) and no ' #' (a comment) inside it.
    plain_rest = rf"{word}*(?:(?:[ \t]+|:){word}+|#{word}*)*"
    plain = (
        r"(?:true|false|True|False|TRUE|FALSE|null|Null|NULL|~"
        r"|-?(?:0|[1-9][0-9]{0,17})"
        r"|-?[0-9]{1,17}\.[0-9]{1,17}"
        r"|[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?)?"
        rf"|(?!{_BOOL_WORDS}[ \t]*(?:#|\r?\n|$))_*[^\W\d_]{plain_rest})"
    )
    value = rf"(?:{double}|{single}|{plain})"
    # Indentation by spaces only; anchors, aliases, tags, block and flow collections and
    # merge keys cannot appear: keys are identifiers and plain values start with a letter.
    # A key or value line, or a blank or comment line: the common case is tried first (the
    # order of the alternatives changes the speed of a full match, never its outcome). A blank
    # or comment line is indented by spaces too: libyaml refuses a tab there, yaml-rs not.
    return rf"(?: *(?:- +)*(?:{_KEY}:(?:[ \t]+{value})?|{value})[ \t]*(?:[ \t]#.*)?| *(?:#.*)?)"


_LINE = _line_pattern(_DOUBLE, _SINGLE, _WORD)


# Matched one line at a time: a pattern over the whole document could backtrack across lines
# (and did, on a fuzzed file with an unclosed quote); per line, the work stays linear.
# Compiled on first use (~5 ms): front matter without a backslash never needs it.
@functools.cache
def line_re() -> re.Pattern[str]:
    return re.compile(_LINE)


# The same lines, for text without a backslash or a break (\x85 \u2028 \u2029): escapes
# cannot occur and the characters the classes leave out are absent, so the classes shrink
# to one excluded character, which the matcher skips over far faster than a class.
_PLAIN_TEXT_LINE_RE = re.compile(_line_pattern(r'"[^"]*"', r"'[^']*(?:''[^']*)*'", r"[^\s:#]"))
MAX_LINE_CHARS = 4096  # longer lines take the reference path


# Characters YAML does not allow (control characters, U+FFFE, U+FFFF): libyaml refuses them,
# yaml-rs reads them, so a document holding one takes the reference path and its finding.
# Compiled on first use (~12 ms of a one-file run's start): ASCII text never needs it.
@functools.cache
def not_printable() -> re.Pattern[str]:
    return re.compile("[^\t\n\r -~\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# Front matter repeats many lines from record to record ('    isCached: true', 'images:'):
# lines found to fit are remembered, a bounded number of short ones, and not matched again.
_FITTING: set[str] = set()
MAX_REMEMBERED = 8192
MAX_REMEMBERED_CHARS = 200


def fast_load(text: str, limits: YamlLimits) -> dict[str, Any] | None:
    """The front matter's mapping if the fast path applies and succeeds, else None."""
    if yaml_rs is None or not lines_fit(text):
        return None
    try:
        value = yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # syntax errors, duplicate keys: the reference path reports them
        return None
    if not isinstance(value, dict) or not _within_limits(value, limits):
        return None
    return value


def lines_fit(text: str) -> bool:
    """Whether every line, carriage return removed, has a shape YAML 1.1 and 1.2 agree on."""
    lines = text.split("\n")
    if len(text) > MAX_LINE_CHARS and max(map(len, lines)) > MAX_LINE_CHARS:
        return False
    if not _yaml_printable(text):
        return False
    if "\r" in text:
        lines = [line.rstrip("\r") for line in lines]
    fresh = set(lines).difference(_FITTING)
    plain_text = "\\" not in text and (
        text.isascii() or not ("\x85" in text or "\u2028" in text or "\u2029" in text)
    )
    fits = (_PLAIN_TEXT_LINE_RE if plain_text else line_re()).fullmatch
    if not all(map(fits, fresh)):
        return False
    room = MAX_REMEMBERED - len(_FITTING)
    if room > 0:
        short = (line for line in fresh if len(line) <= MAX_REMEMBERED_CHARS)
        _FITTING.update(itertools.islice(short, room))
    return True


def _yaml_printable(text: str) -> bool:
    """Whether text holds only characters YAML allows."""
    if text.isascii():  # the common case, ~6 times faster than the regular expression
        data = text.encode("ascii")
        return len(data.translate(None, ASCII_CONTROL_BYTES)) == len(data)
    return not_printable().search(text) is None


def _within_limits(value: Any, limits: YamlLimits) -> bool:
    nodes = 1
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limits.max_depth:
            return False
        if isinstance(item, dict):
            children = item.values()
            nodes += 2 * len(children)  # keys are nodes too, as the reference counts them
        else:
            children = item
            nodes += len(children)
        stack += [(c, depth + 1) for c in children if isinstance(c, (dict, list))]
    return nodes <= limits.max_nodes

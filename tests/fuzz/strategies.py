"""Fuzz inputs for newslint, and the invariants every run must keep.

Inputs are ``(suffix, content bytes)`` pairs. Each generator is a plain function of a
``random.Random`` (and a :class:`Sizes`), so the same code serves two callers:

* the property tests (tests/fuzz/test_fuzz.py) through Hypothesis strategies: a
  ``st.randoms()`` instance is a ``random.Random`` whose draws Hypothesis records and shrinks;
* the standalone bench (bench/fuzz.py) through ``random.Random(seed)``, reproducibly.

Generators build on real records (the seeds, a handful of smartable corpus records when the
corpus is present, the test suite's valid record) and on hostile constructions: broken YAML,
odd encodings, huge lines, deep nesting, many keys, alias bombs, huge numbers, control
characters, degenerate files. Nothing here iterates a set of strings, so generation does not
depend on PYTHONHASHSEED.

The second half holds the invariants (:func:`invariant_violations`) and the known bugs the
fuzzer has found (:data:`KNOWN_BUGS`), shared by the tests and the bench.
"""

from __future__ import annotations

import base64
import codecs
import json
import re
import time
import traceback
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any

import yaml
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.helpers import CORPUS, REPO, SEEDS, VALID_BODY, VALID_FIELDS, markdown
from validator.app import CheckOptions, CheckRun, check
from validator.engine import CRASH_SLUG, display_path
from validator.findings import Severity
from validator.load.source import decode
from validator.report import REPORTERS

SUFFIXES = (".md", ".txt", ".json", ".jsonl")
RARE_SUFFIXES = (".markdown", ".ndjson", ".MD", ".Json")
TEXT_SUFFIXES = (".md", ".txt")
JSON_SUFFIXES = (".json", ".jsonl")
CORPUS_NEWS = CORPUS / "smartable" / "_news"
CORPUS_HANDFUL = 8


@dataclass(frozen=True)
class Sizes:
    """How big the hostile constructions get."""

    huge_line: int = 60_000  # longest generated line, in characters
    many: int = 1_200  # most keys, list items or findings-producing entries
    depth: int = 3_000  # deepest nesting (flow styles and JSON; block nesting is capped)
    big_files: bool = False  # now and then a file over the default 5 MiB limit


TEST_SIZES = Sizes()
BENCH_SIZES = Sizes(huge_line=1_000_000, many=10_000, depth=200_000, big_files=True)


# --- seed material ------------------------------------------------------------------------


def _read_seeds() -> list[bytes]:
    return [path.read_bytes() for path in sorted(SEEDS.glob("*")) if path.is_file()]


def _read_corpus(limit: int = CORPUS_HANDFUL) -> list[bytes]:
    """A handful of real smartable records spread over the sorted corpus; [] without it."""
    try:
        paths = sorted(p for p in CORPUS_NEWS.glob("*.md") if p.is_file())
    except OSError:
        return []
    if not paths:
        return []
    step = max(1, len(paths) // limit)
    records = []
    for path in paths[::step][:limit]:
        try:
            records.append(path.read_bytes())
        except OSError:
            continue
    return records


def _front_matter_of(text: str) -> dict[str, Any] | None:
    match = re.match(r"---\r?\n(.*?)\r?\n---\r?\n?(.*)", text, re.DOTALL)
    if match is None:
        return None
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    data = json.loads(json.dumps(data, default=str))  # timestamps to text, keys to str
    data["body"] = match.group(2)
    return data


SEED_FILES: list[bytes] = _read_seeds()
CORPUS_FILES: list[bytes] = _read_corpus()
REAL_FILES: list[bytes] = [
    *SEED_FILES,
    *CORPUS_FILES,
    markdown().encode("utf-8"),
]
# Records as dicts (front matter plus "body"), for the JSON and re-emitted YAML generators.
REAL_RECORDS: list[dict[str, Any]] = [
    record
    for record in (_front_matter_of(raw.decode("utf-8", "replace")) for raw in REAL_FILES)
    if record is not None
] or [{**json.loads(json.dumps(VALID_FIELDS)), "body": VALID_BODY}]


def _read_pack_lines() -> tuple[list[str], list[str]]:
    """Phrases and provider domains of the boilerplate packs (read-only), for bodies."""
    phrases: list[str] = []
    domains: list[str] = []
    for path in sorted((REPO / "rules" / "packs").rglob("*.yaml")):
        try:
            pack = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        if not isinstance(pack, dict):
            continue
        listed = pack.get("domains")
        if isinstance(listed, list):
            domains.extend(d for d in listed if isinstance(d, str))
        categories = pack.get("categories")
        for category in categories.values() if isinstance(categories, dict) else []:
            listed = category.get("phrases") if isinstance(category, dict) else None
            if isinstance(listed, list):
                phrases.extend(p for p in listed if isinstance(p, str))
    return phrases or ["Accessibility links", "Breaking News"], domains or ["rferl.org"]


PACK_PHRASES, PACK_DOMAINS = _read_pack_lines()


# --- token pools --------------------------------------------------------------------------

# fmt: off
YAML_BREAKERS = (
    '"', "'", ":", ": :", "a: b: c", "[", "]", "{", "}", "[1, 2", "{a: 1", "{a: 1, a: 2}",
    "&a ", "&a", "*a", "*a ", "*undefined", "&a [*a]", "&a {k: *a}", "<<: *a", "<<: [*a, *b]",
    "!!python/object:os.system ", "!!python/object/apply:os.system [\"ls\"]",
    "!!python/name:builtins.eval", "!!int abc", "!!float x", "!!bool maybe", "!!binary ",
    "!!binary x!", "!!timestamp nope", "!!null x", "!!str ", "!!map ", "!!seq ", "!!set ",
    "!!omap ", "!!pairs ", "!custom ", "!", "!<tag:x,2000:y> ", "? complex key\n: v",
    "? [a, b]\n: c", "? {a: b}\n: c", "? |\n  block key\n: v", "- ", "-", "--- ", "---",
    "...", "%YAML 1.1\n", "%YAML 9.9\n", "%TAG ! tag:x,2000:\n", "|", ">", "|-", ">+", "|9",
    "#", " #", "@", "`", "\\", "%", "\t", "\t\t", "  ", "   ", "\n  ", "\n\t", '"\\u00',
    '"\\ud800"', '"\\x"', '"\\U0011FFFF"', '"\\N\\_\\L\\P\\0\\a\\e"', "'unterminated",
    '"unterminated', 'key: "a\nb', " - \n", "=", "<<", "~", "? ", ": ", ",", "&", "*", "!!",
    "\ufeff", "\x85", "\u2028", "\r", "\x00", "\x1b", "\x7f",
)

YAML_SCALARS = (
    "", "~", "null", "Null", "NULL", "true", "false", "True", "yes", "no", "on", "off", "y",
    "n", "0", "-0", "+1", "007", "0777", "0o17", "0x1F", "0xFFFFFFFFFFFFFFFFFFFF", "0b101",
    "1_000", "1:30:00", "190:20:30.15", "-1:00", "1e3", "1.5e+3", "1.0e+400", "-1.0e+400",
    "6.0e-400", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "3.14", "-1", "1.", ".5", "0.0",
    "2020-10-02", "2020-10-02T04:30:00Z", "2020-10-02 04:30:00 +5", "2001-12-14t21:59:43.10-05:00",
    "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2020-13-45T99:99:99Z",
    "2020-02-30T00:00:00Z", "10000-01-01T00:00:00Z", "2020-10-02T04:30:00+99:00",
    "2020-10-02T04:30:00.123456789Z", "2999-01-01T00:00:00Z", "2020-W40", "2020-10-02T04:30",
    "yesterday", "=", "<<", "a b", "é", "Ã©", "â€™", "\u202e", "😀", "中文", "עברית",
    "'single'", '"double"', '"\\ud83d\\ude00"', "'it''s'", '"tab\\there"',
)

DATES = (
    "2020-10-02T04:30:00Z", "2020-10-02T04:30:00+00:00", "2020-10-02T04:30:00-23:59",
    "2020-10-02t04:30:00z", "2020-10-02", "2020-10-02T04:30:00", "2020-10-02 04:30:00",
    "02/10/2020 4:30", "2020-13-01T00:00:00Z", "2020-02-30T00:00:00Z", "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "0001-01-01T00:00:00Z",
    "2999-10-02T04:30:00Z", "2020-10-02T24:00:00Z", "2020-10-02T04:30:60Z",
    "2020-10-02T04:30:00.9999999Z", "20201002T043000Z", "+2020-10-02T04:30:00Z",
    "2020-10-02T04:30:00\u200bZ", " 2020-10-02T04:30:00Z ", "Z", "z", "", "T",
    "2020-10-02T04:30:00+24:00", "2020-10-02T04:30:00+05:30:45.123456",
)

URLS = (
    "https://www.hrw.org/news/2020/10/02/story", "http://example.org", "https://a.org/",
    "http://127.0.0.1/", "http://10.0.0.12/story", "http://[::1]:80/", "http://[::1",
    "http://[fe80::1%25eth0]/", "http://[::ffff:127.0.0.1]/", "http://0/", "http://0x7f.1/",
    "http://2130706433/", "http://100.64.0.1/", "http://240.0.0.1/", "http://224.0.0.1/",
    "https://a.org:99999/", "https://a.org:-1/", "https://a.org:abc/", "javascript:alert(1)",
    "JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>", "ftp://a.org/x", "mailto:a@b.org",
    "//example.org/x", "/relative/path", "relative", "https://", "https:///path", "https://.",
    "https://..", "https://a..org", "https://-a.org", "https://a-.org", "https://a_b.org",
    "https://" + "a" * 64 + ".org", "https://" + "a." * 130 + "org", "HTTPS://A.ORG/X",
    "https://xn--/", "https://xn--a.org/", "https://xn--zz.org/", "https://xn--ls8h.la/",
    "https://ä.example/", "https://例え.テスト/", "https://aא.org/", "https://אב.ישראל/",
    "https://a.org/\u202e", "https://a.org/ space", " https://a.org/", "https://a.org/\t",
    "https://user:pass@host.org:8080/p?q=1#f", "https://a.org/?" + "x" * 300,
    "https://localhost/", "https://x.localhost/", "https://printer.local/", "https://a.internal/",
    "https://home.arpa/", "https://a.home.arpa/", "http://localhost.", "https://a.org.",
    "https://a.org/amp/story", "https://www-example--herald-org.cdn.ampproject.org/c/s/x",
    "https://a-org.cdn.ampproject.org/c/s/a.org/x",
    "https://xn--4gbrim.xn----ymcbaaajlc6dj7bxne2c.xn--wgbh1c/",
    "https://0-ab--c-0.cdn.ampproject.org/c/ab--c/", "https://ab--c.org/", "https://a.org/%zz",
    "https://[1:2:3:4:5:6:7:8:9]/", "https://[]/", "https://[v1.x]/", "http://a.org:0/",
    "https://Ａ.org/", "https://ﬀ.org/", "https://a\u0301.org/", "https://\u00ad.org/",
    "https://a.org\\b", "https://a.org/\x00", "\\\\server\\share", "https:a.org", "http:80",
)

SECURED = (
    VALID_FIELDS["secured"], "", ";", ";;", "a;b", "AAAA;AAAA", "AAAA;", ";AAAA",
    "AAAAAAAAAAAAAAAAAAAAAA==;KedbQq+O6KDZdvwZNEh7zA==", "AAAAAAAA;KedbQq+O6KDZdvwZNEh7zA==",
    "AAAAAAAAAAAAAAAAAAAAAA==;AAAA", "=;=", "A===;KedbQq+O6KDZdvwZNEh7zA==",
    "AAAAAAAAAAAAAAAAAAAAAA;KedbQq+O6KDZdvwZNEh7zA", "AB==;KedbQq+O6KDZdvwZNEh7zA==",
    "AAAA AAAA;KedbQq+O6KDZdvwZNEh7zA==", "-_-_;KedbQq+O6KDZdvwZNEh7zA==",
    "AAAAAAAAAAAAAAAAAAAAAA==;KedbQq+O6KDZdvwZNEh7zA==;x",
)

TEXTS = (
    "", " ", "\t", "x", "Russia’s plans", "Russiaâ€™s plans", "CafÃ© Ã©tÃ©", "Â£100", "Ã",
    "ÃƒÂ©", "\u202eevil", "zero\u200bwidth", "a\u0000b", "a\u0085b", "a\u2028b", "😀" * 20,
    "中文标题", "עברית ועוד", "x" * 300, "title: with colon", "- dash", "# hash",
    "\ufeffbom", "\udcff".encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
)

NUMBERS = (
    0, -1, 1, 2, 3, 4, 5385, 20_000, 20_001, 1_000_000, 2**63, 10**20, -(10**20), 1.5, 0.0,
    -0.0, 1e308, True, False, None, "640", "", "1e400",
)

JSON_RAW = (
    "1e999", "-1e999", "NaN", "Infinity", "-Infinity", "-0", "0.0", "1E400", "0e0", "1.5",
    "123456789012345678901234567890", "-" + "9" * 400, "1" + "0" * 4299, "1" + "0" * 4300,
    "4" * 5000, '"\\ud800"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"', '"\\ud83d"', '"\\udfff"',
    '"\\u0000"', '"\\u202e"', '"a\\nb"', '"\\uFEFF"', '"\\\\ud800"', '"https://\\ud800.org/x"',
    '"https://a.org/\\udfff"', '"https://\\ud800/x"', '"https://\\ud800\\udc00.org/"',
    '"2020-10-02T04:30:00\\ud800"', "true", "false", "null", "[]", "{}", '""', "[[]]",
    '{"":""}', '{"body":1}', '"\\u0085\\u2028\\u2029"', '"x\\u0000"', "[null]", "1.0e-400",
)

BODY_PIECES = (
    "The council approved the budget on Tuesday, after a long debate about schools.",
    "Amnesty International has criticized Russia's plans to broaden facial recognition.",
    "Home", "News", "Sport", "Weather", "Share this article", "Read more", "Advertisement",
    "• 16x9 Image", "[Home](https://a.org/) | [News](https://a.org/news)",
    "![photo](https://a.org/p.jpg \"caption\")", "https://a.org/very/long/path?query=1",
    "www.example.org", "**Bold** and _emphasis_", "1. First item", "- bullet", "> quote",
    "| a | b |", "2-1", "45'", "Caption of a photo", "Caption of a photo", "",
    "これは日本語の記事の本文です。", "هذا نص عربي.", "Ã©tÃ© â€™ Â£", "\t", "   ",
    "---", "...", "# Heading", "<div>html</div>", "Copyright © 2020", "All rights reserved.",
)

CONTROL_CHARS = (
    *[chr(c) for c in range(0, 32)], "\x7f", "\x80", "\x85", "\x9f", "\xa0", "\u00ad",
    "\u200b", "\u200e", "\u202e", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff",
    "\U0001f600", "\U0010ffff", "\ue000",
)

INVALID_UTF8 = (
    b"\xff", b"\xfe", b"\xc0\xaf", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80", b"\xed\xbf\xbf",
    b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80", b"\x80", b"\xbf\xbf", b"\xef\xbb",
)

NAME_STEMS = ("record", "a b", "é-ü", "-leading-dash", "#hash", "UPPER", "x" * 60, "1.2.3", "中文")
# fmt: on


# --- small helpers ------------------------------------------------------------------------


def _skewed(rng: Random, top: int) -> int:
    """A size in [0, top], small sizes far more likely (log-uniform-ish)."""
    if top <= 0:
        return 0
    bits = rng.randint(0, max(1, top.bit_length()))
    return min(top, rng.randint(0, (1 << bits) - 1))


def _pick_suffix(rng: Random, preferred: Sequence[str]) -> str:
    roll = rng.random()
    if roll < 0.8:
        return rng.choice(list(preferred))
    if roll < 0.95:
        return rng.choice(SUFFIXES)
    return rng.choice(RARE_SUFFIXES)


def _real_file(rng: Random) -> bytes:
    return rng.choice(REAL_FILES)


def _real_record(rng: Random) -> dict[str, Any]:
    return json.loads(json.dumps(rng.choice(REAL_RECORDS)))


def _insert(data: bytes, at: int, piece: bytes) -> bytes:
    return data[:at] + piece + data[at:]


def _line_starts(data: bytes) -> list[int]:
    return [0, *(m.end() for m in re.finditer(rb"\n", data))]


def _encode(text: str, rng: Random) -> bytes:
    """UTF-8, keeping lone surrogates as the (invalid) bytes they would be."""
    return text.encode("utf-8", "surrogatepass" if rng.random() < 0.5 else "replace")


# --- byte- and line-level mutations ---------------------------------------------------------


def mutate_bytes(rng: Random, data: bytes) -> bytes:
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(9)
        at = rng.randint(0, len(data))
        if op == 0 and data:  # flip bits
            i = rng.randrange(len(data))
            data = data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :]
        elif op == 1:  # random bytes
            data = _insert(data, at, rng.randbytes(rng.randint(1, 8)))
        elif op == 2:  # delete a range
            data = data[:at] + data[at + _skewed(rng, 256) :]
        elif op == 3:  # duplicate a range
            end = min(len(data), at + _skewed(rng, 512))
            data = data[:end] + data[at:end] * rng.randint(1, 4) + data[end:]
        elif op == 4:  # a YAML breaker
            data = _insert(data, at, rng.choice(YAML_BREAKERS).encode("utf-8"))
        elif op == 5:  # an invalid UTF-8 sequence
            data = _insert(data, at, rng.choice(INVALID_UTF8))
        elif op == 6:  # splice with another real file
            other = _real_file(rng)
            cut = rng.randint(0, len(other))
            data = data[:at] + other[cut:] if rng.random() < 0.5 else other[:cut] + data[at:]
        elif op == 7:  # a control character
            data = _insert(data, at, rng.choice(CONTROL_CHARS).encode("utf-8", "surrogatepass"))
        else:  # a front-matter fence
            starts = _line_starts(data)
            data = _insert(data, rng.choice(starts), rng.choice([b"---\n", b"...\n", b"--- \r\n"]))
    return data


def _mutate_lines(rng: Random, text: str) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 6)):
        if not lines:
            lines = [""]
        i = rng.randrange(len(lines))
        op = rng.randrange(8)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3:  # re-indent (spaces or a tab)
            lines[i] = rng.choice(["", " ", "   ", "\t", " \t", "    "]) + lines[i].lstrip()
        elif op == 4:  # a breaker inside the line
            at = rng.randint(0, len(lines[i]))
            lines[i] = lines[i][:at] + rng.choice(YAML_BREAKERS) + lines[i][at:]
        elif op == 5:  # a breaker as its own line
            lines.insert(i, rng.choice(YAML_BREAKERS))
        elif op == 6:  # cut the line
            lines[i] = lines[i][: rng.randint(0, len(lines[i]))]
        else:  # replace the value after the first ':'
            key, sep, _ = lines[i].partition(":")
            if sep:
                lines[i] = f"{key}: {rng.choice(YAML_SCALARS + YAML_BREAKERS)}"
    return "\n".join(lines)


# --- record trees ---------------------------------------------------------------------------


class _Raw:
    """Emit-time placeholders: a sentinel string in the tree, replaced by raw text after
    yaml/json dumping (so a value can be `1:00:00`, `.nan` or `"\\ud800"` verbatim)."""

    def __init__(self) -> None:
        self.tokens: list[str] = []

    def add(self, token: str) -> str:
        self.tokens.append(token)
        return f"Zq{len(self.tokens) - 1}RAWQz"

    def apply(self, text: str, quoted: bool) -> str:
        def replace(match: re.Match[str]) -> str:
            return self.tokens[int(match.group(1))]

        pattern = r'"Zq(\d+)RAWQz"' if quoted else r"Zq(\d+)RAWQz"
        return re.sub(pattern, replace, text)


def _leaf(rng: Random, key: str, raw: _Raw, json_mode: bool) -> Any:
    lowered = key.lower()
    if lowered in ("width", "height", "quality", "heat") or rng.random() < 0.1:
        if rng.random() < 0.5:
            return rng.choice(NUMBERS)
        return raw.add(_huge_number(rng, json_mode))
    if "url" in lowered or lowered == "domain":
        url = rng.choice(URLS)
        if lowered == "domain":
            url = rng.choice([*PACK_DOMAINS, "hrw.org", "", " ", "HRW.ORG.", "www.hrw.org", url])
        return url
    if "date" in lowered:
        return rng.choice(DATES) if rng.random() < 0.8 else raw.add(rng.choice(YAML_SCALARS))
    if lowered == "secured":
        if rng.random() < 0.3:
            return (
                base64.b64encode(rng.randbytes(_skewed(rng, 200))).decode()
                + ";"
                + base64.b64encode(rng.randbytes(rng.choice([0, 8, 15, 16, 17]))).decode()
            )
        return rng.choice(SECURED)
    roll = rng.random()
    if roll < 0.15:
        return raw.add(rng.choice(JSON_RAW if json_mode else YAML_SCALARS))
    if roll < 0.25:
        return rng.choice(NUMBERS)
    return rng.choice(TEXTS)


def _huge_number(rng: Random, json_mode: bool) -> str:
    digits = rng.choice([20, 308, 309, 400, 1000, 4299, 4300, 4301, 6000])
    sign = rng.choice(["", "", "-"])
    if json_mode:
        return rng.choice(
            [
                sign + "1" + "0" * digits,
                sign + "1" + "0" * min(digits, 400) + ".5",
                sign + "1e" + str(digits),
                rng.choice(JSON_RAW),
            ]
        )
    kind = rng.randrange(7)
    if kind == 0:
        return sign + "1" + "0" * digits
    if kind == 1:  # sexagesimal (YAML 1.1): few characters, enormous values
        return sign + "1" + ":00" * rng.choice([2, 10, 100, 1000, 2500, 3000])
    if kind == 2:
        return sign + "0x" + "f" * min(digits, 4000)
    if kind == 3:
        return sign + "0b" + "1" * min(digits * 3, 14000)
    if kind == 4:
        return sign + "1_" * min(digits, 3000) + "0"
    if kind == 5:
        return sign + "1.0e+" + str(digits)
    return rng.choice(YAML_SCALARS)


def _walk_containers(tree: Any) -> list[tuple[Any, Any]]:
    """(container, key or index) for every slot in ``tree``, in a deterministic order."""
    slots: list[tuple[Any, Any]] = []
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in list(item):
                slots.append((item, key))
                stack.append(item[key])
        elif isinstance(item, list):
            for index in range(len(item)):
                slots.append((item, index))
                stack.append(item[index])
    return slots


def _mutate_tree(rng: Random, tree: dict[str, Any], raw: _Raw, json_mode: bool) -> None:
    for _ in range(rng.randint(0, 10)):
        slots = _walk_containers(tree)
        if not slots:
            tree["title"] = "x"
            continue
        container, key = rng.choice(slots)
        name = key if isinstance(key, str) else "item"
        op = rng.randrange(8)
        if op <= 2:
            container[key] = _leaf(rng, name, raw, json_mode)
        elif op == 3 and isinstance(container, dict):
            del container[key]
        elif op == 4:  # wrong container type
            container[key] = rng.choice([[container[key]], {"value": container[key]}, [], {}])
        elif op == 5 and isinstance(container, dict):  # unknown or odd key
            container[rng.choice(["extra", "", " ", "1", "a/b", "~0", "é", "null", "<<"])] = 1
        elif op == 6 and isinstance(container, list) and container:  # repeat an item
            container.append(json.loads(json.dumps(container[0])))
        else:
            image = {
                "url": rng.choice(URLS),
                "width": _leaf(rng, "width", raw, json_mode),
                "height": _leaf(rng, "height", raw, json_mode),
            }
            field = rng.choice(["images", "related"])
            value = tree.get(field)
            if not isinstance(value, list):
                value = tree[field] = []
            if field == "images":
                value.append(image)
            else:
                value.append(
                    {
                        "title": rng.choice(TEXTS),
                        "webUrl": rng.choice([*URLS, tree.get("webUrl", "")]),
                        "ampWebUrl": rng.choice(URLS),
                        "cdnAmpWebUrl": rng.choice(URLS),
                        "publishedDateTime": rng.choice(DATES),
                        "provider": {"name": "x", "domain": rng.choice(PACK_DOMAINS)},
                        "images": [image],
                    }
                )


def _emit_yaml(rng: Random, data: Any) -> str:
    style = rng.randrange(6)
    kwargs: dict[str, Any] = {"sort_keys": False, "allow_unicode": rng.random() < 0.8}
    if style == 1:
        kwargs["default_flow_style"] = True
    elif style == 2:
        kwargs["default_flow_style"] = None
    elif style == 3:
        kwargs["indent"] = rng.choice([2, 3, 4, 8])
        kwargs["width"] = rng.choice([20, 80, 10_000])
    elif style == 4:
        kwargs["default_style"] = rng.choice(['"', "'"])
    elif style == 5:
        kwargs["canonical"] = True
    return yaml.safe_dump(data, **kwargs)


def _record_markdown(rng: Random, raw: _Raw, record: dict[str, Any]) -> str:
    body = record.pop("body", "")
    if not isinstance(body, str):
        body = json.dumps(body)
    front = _emit_yaml(rng, record)
    text = raw.apply(front, quoted=False)
    if front.startswith("---"):  # canonical style opens its own document
        return f"{text}---\n{body}"
    return f"---\n{text}---\n{body}"


# --- generators: (Random, Sizes) -> (suffix, bytes) ------------------------------------------


def gen_random_bytes(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    data = rng.randbytes(_skewed(rng, 4096 if rng.random() < 0.9 else 65_536))
    if rng.random() < 0.3:
        data = rng.choice([b"---\n", b"{", b"[", b"\xef\xbb\xbf", b"\xff\xfe"]) + data
    return _pick_suffix(rng, SUFFIXES), data


def gen_random_text(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    alphabet = "ab: -\n\t\r[]{}&*!|>'\"#?%,@`~\\.0123456789éÃ€\u2028\ufeff\x00\x01"
    n = _skewed(rng, 2048)
    text = "".join(rng.choice(alphabet) for _ in range(n))
    if rng.random() < 0.5:
        text = "---\n" + text + rng.choice(["\n---\n", "", "\n---"])
    return _pick_suffix(rng, SUFFIXES), _encode(text, rng)


def gen_truncated(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    data = _real_file(rng)
    if rng.random() < 0.5:
        data = data[: rng.randint(0, len(data))]
    else:  # cut near the end of the front matter, where the closing fence is
        fence = data.find(b"\n---", 4)
        centre = fence if fence > 0 else len(data) // 2
        data = data[: max(0, centre + rng.randint(-20, 6))]
    return _pick_suffix(rng, TEXT_SUFFIXES), data


def gen_mutated(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    return _pick_suffix(rng, TEXT_SUFFIXES), mutate_bytes(rng, _real_file(rng))


def gen_broken_yaml(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    if rng.random() < 0.5:
        text = _real_file(rng).decode("utf-8", "replace")
    else:
        raw = _Raw()
        text = _record_markdown(rng, raw, _real_record(rng))
    fence = text.find("\n---", 3)
    if fence > 0 and rng.random() < 0.85:  # mutate only the front matter, mostly
        head, tail = text[:fence], text[fence:]
        text = "---\n" + _mutate_lines(rng, head.removeprefix("---\n")) + tail
    else:
        text = _mutate_lines(rng, text)
    return _pick_suffix(rng, TEXT_SUFFIXES), _encode(text, rng)


def gen_record_yaml(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    raw = _Raw()
    record = _real_record(rng)
    _mutate_tree(rng, record, raw, json_mode=False)
    return _pick_suffix(rng, TEXT_SUFFIXES), _encode(_record_markdown(rng, raw, record), rng)


def _json_record(rng: Random, raw: _Raw) -> dict[str, Any]:
    record = _real_record(rng)
    _mutate_tree(rng, record, raw, json_mode=True)
    return record


def _json_dump(rng: Random, value: Any, one_line: bool) -> str:
    indent = None if one_line or rng.random() < 0.5 else rng.choice([0, 1, 2, "\t"])
    return json.dumps(value, indent=indent, ensure_ascii=rng.random() < 0.5)


def gen_record_json(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    raw = _Raw()
    suffix = _pick_suffix(rng, JSON_SUFFIXES)
    if suffix.lower() in (".jsonl", ".ndjson"):
        lines = []
        for _ in range(rng.randint(0, 6)):
            roll = rng.random()
            if roll < 0.7:
                line = _json_dump(rng, _json_record(rng, raw), one_line=True)
            elif roll < 0.85:
                line = rng.choice((*JSON_RAW, "", " ", "{", '{"a":', "]", "// comment"))
            else:
                line = _json_dump(rng, _json_record(rng, raw), one_line=True)
                line = line[: rng.randint(0, len(line))]
            lines.append(raw.apply(line, quoted=True))
        ending = rng.choice(["\n", "\r\n", "\n\n", "\r"])
        text = ending.join(lines) + rng.choice(["", ending])
    else:
        count = rng.choice([0, 1, 1, 2, 5])
        value: Any = [_json_record(rng, raw) for _ in range(count)]
        if count == 1 and rng.random() < 0.6:
            value = value[0]
        text = raw.apply(_json_dump(rng, value, one_line=False), quoted=True)
        if rng.random() < 0.2:
            text = text[: rng.randint(0, len(text))]
        elif rng.random() < 0.2:
            text = rng.choice(["", "\ufeff", " ", "[", "{"]) + text + rng.choice(["", "x", "\n{}"])
    return suffix, _encode(text, rng)


def _base_text(rng: Random) -> str:
    if rng.random() < 0.7:
        return _real_file(rng).decode("utf-8", "replace")
    return _record_markdown(rng, _Raw(), _real_record(rng))


def gen_encoding(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    if rng.random() < 0.25:
        raw = _Raw()
        text = raw.apply(_json_dump(rng, _json_record(rng, raw), one_line=True), quoted=True)
        suffix = _pick_suffix(rng, JSON_SUFFIXES)
    else:
        text = _base_text(rng)
        suffix = _pick_suffix(rng, TEXT_SUFFIXES)
    kind = rng.randrange(13)
    if kind == 0:
        data = text.encode("utf-16", "surrogatepass")  # BOM, native (little) endian
    elif kind == 1:
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be", "surrogatepass")
    elif kind == 2:
        data = text.encode("utf-16-le", "surrogatepass")  # no BOM: NUL bytes everywhere
    elif kind == 3:
        data = text.encode(rng.choice(["utf-32", "utf-32-be"]), "surrogatepass")
        if not data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            data = codecs.BOM_UTF32_BE + data
    elif kind == 4:
        data = text.encode(rng.choice(["latin-1", "cp1252", "mac-roman"]), "replace")
    elif kind == 5:  # UTF-16 with an odd byte count, or a lone surrogate
        data = text.encode("utf-16", "surrogatepass")
        data = data[:-1] if rng.random() < 0.5 else data + b"\x00\xd8"
    elif kind == 6:  # mixed line endings
        endings = ["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029", "\n\r", "\x0b", "\x0c"]
        text = "".join(
            part + (rng.choice(endings) if i < text.count("\n") else "")
            for i, part in enumerate(text.split("\n"))
        )
        data = text.encode("utf-8")
    elif kind == 7:  # NUL bytes, early or past the binary sniffing window
        data = text.encode("utf-8")
        at = rng.choice([0, rng.randint(0, len(data)), len(data)])
        data = _insert(data, at, b"\x00" * rng.randint(1, 3))
        if rng.random() < 0.3:
            data = data + b"x" * 9000 + b"\x00"
    elif kind == 8:  # BOMs: at the start, twice, in the middle
        data = text.encode("utf-8")
        for _ in range(rng.randint(1, 3)):
            at = rng.choice([0, 0, 4, rng.randint(0, len(data))])
            data = _insert(data, at, rng.choice([codecs.BOM_UTF8, codecs.BOM_UTF16_LE]))
    elif kind == 9:  # invalid UTF-8 sequences
        data = text.encode("utf-8")
        for _ in range(rng.randint(1, 4)):
            data = _insert(data, rng.randint(0, len(data)), rng.choice(INVALID_UTF8))
    elif kind == 10:  # double-encoded (mojibake) throughout
        data = text.encode("utf-8").decode("cp1252", "replace").encode("utf-8")
    elif kind == 11:  # cut in the middle of a multi-byte character
        data = (text + "é€😀").encode("utf-8")
        data = data[: len(data) - rng.randint(1, 3)]
    else:  # surrogates escaped in JSON, or as UTF-8-encoded surrogates in text
        data = text.replace("e", rng.choice(["\\ud800", "\\udfff", "\udc80"]), 3).encode(
            "utf-8", "surrogatepass"
        )
    return suffix, data


# fmt: off
_HUGE_PATTERNS = (
    "a", "ab ", "word, ", "[", "](", "[a](b)", "![", "![x](", "*", "_", "**a", "*_", "https://",
    "www.", " ", "\t", "• ", "- ", "1. ", "Ã©", "â€™", "#", "|", ".", "\\", '"', "'", "{", "%",
    "あ", "א", "a\u0301", "😀", "\u200b", "http://a.org/", "[a]", "(", ")", ":", "-", "\r",
)
# fmt: on


def gen_huge_line(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    n = rng.choices([1_000, 10_000, sizes.huge_line // 4, sizes.huge_line], weights=[3, 3, 2, 1])[0]
    pattern = rng.choice(_HUGE_PATTERNS)
    line = (pattern * (n // len(pattern) + 1))[:n]
    where = rng.randrange(7)
    record = _real_record(rng)
    body = record.get("body") if isinstance(record.get("body"), str) else VALID_BODY
    if where == 0:  # a body line
        record["body"] = body + line + "\n" + body
        return _pick_suffix(rng, TEXT_SUFFIXES), _record_markdown(rng, _Raw(), record).encode()
    if where == 1:  # a plain or quoted front-matter value
        quote = rng.choice(["", '"', "'"])
        escaped = line.replace("\\", "\\\\").replace('"', '\\"') if quote == '"' else line
        if quote == "'":
            escaped = line.replace("'", "''")
        text = f"---\ntitle: {quote}{escaped}{quote}\nexcerpt: x\n---\n{body}"
        return _pick_suffix(rng, TEXT_SUFFIXES), text.encode("utf-8", "replace")
    if where == 2:  # a huge key (libyaml's simple keys stop at 1024 characters)
        text = f"---\n{line.replace(':', 'x')}: value\n---\n{body}"
        return _pick_suffix(rng, TEXT_SUFFIXES), text.encode("utf-8", "replace")
    if where == 3:  # a huge URL
        record["webUrl"] = "https://a.org/" + line
        record["ampWebUrl"] = "https://" + line.replace(" ", "") + ".org/x"
        record["cdnAmpWebUrl"] = "https://x.cdn.ampproject.org/c/s/" + line
        if rng.random() < 0.5:
            return _pick_suffix(rng, JSON_SUFFIXES), json.dumps(record).encode()
        return _pick_suffix(rng, TEXT_SUFFIXES), _record_markdown(rng, _Raw(), record).encode()
    if where == 4:  # a huge JSON string or body
        record[rng.choice(["body", "title", "excerpt", "secured"])] = line
        return _pick_suffix(rng, JSON_SUFFIXES), json.dumps(record).encode()
    if where == 5:  # body of a single huge line, no front matter
        return _pick_suffix(rng, TEXT_SUFFIXES), line.encode("utf-8", "replace")
    # many lines, each long: the structure tier sees thousands of units
    lines = n // 80 + 1
    text = "\n".join(rng.choice(BODY_PIECES) + " " + pattern * 20 for _ in range(lines))
    return _pick_suffix(rng, TEXT_SUFFIXES), text.encode("utf-8", "replace")


def gen_deep_nesting(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    depth = rng.choice([1, 2, 10, 62, 63, 64, 65, 66, 100, 1000, sizes.depth])
    kind = rng.randrange(10)
    closed = rng.random() < 0.85
    if kind == 0:
        value = "[" * depth + "x" + ("]" * depth if closed else "")
    elif kind == 1:
        value = "{a: " * depth + "1" + ("}" * depth if closed else "")
    elif kind == 2:
        value = "[{a: " * (depth // 2) + "1" + ("}]" * (depth // 2) if closed else "")
    elif kind == 3:  # compact block sequences on one line: "- - - - x"
        value = "\n  " + "- " * min(depth, 20_000) + "x"
    elif kind == 4:  # block mappings by indentation (quadratic size: capped)
        depth = min(depth, 400)
        value = "".join("\n" + "  " * (i + 1) + "a:" for i in range(depth)) + " 1"
    elif kind == 5:
        value = "&a " + "[" * depth + "*a" + "]" * depth
    elif kind in (6, 7):  # JSON
        opener, closer = ("[", "]") if kind == 6 else ('{"a":', "}")
        text = opener * depth + "1" + (closer * depth if closed else "")
        if rng.random() < 0.5:
            text = '{"title": "x", "images": ' + text + ', "body": "b"}'
        return _pick_suffix(rng, JSON_SUFFIXES), text.encode()
    elif kind == 8:  # a whole front matter that is one deep list
        text = "---\n" + "[" * depth + ("]" * depth if closed else "") + "\n---\nbody\n"
        return _pick_suffix(rng, TEXT_SUFFIXES), text.encode()
    else:  # deep "related" items, each a record
        value = ""
        for _ in range(min(depth, 200)):
            value = "[{title: x, related: " + (value or "[]") + "}]"
    text = f"---\ntitle: t\nimages: {value}\nrelated: []\n---\n{VALID_BODY}"
    return _pick_suffix(rng, TEXT_SUFFIXES), text.encode()


def gen_many_keys(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    # Big ones are rare: each key can be a finding, and reports cost per finding.
    k = rng.choices([100, 1000, sizes.many // 4, sizes.many], weights=[6, 4, 2, 1])[0]
    kind = rng.randrange(8)
    if kind == 0:
        front = "".join(f"k{i}: v{i}\n" for i in range(k))
    elif kind == 1:  # one key, repeated
        front = "title: x\n" * k
    elif kind == 2:
        front = "topics:\n" + "".join(f"  - t{i}\n" for i in range(k))
    elif kind == 3:  # many images, half of them duplicates or odd sizes
        front = "images:\n" + "".join(
            f"  - url: https://a.org/{i % 7}.jpg\n    width: {rng.choice([0, 1, 9000, 30000])}\n"
            f"    height: {rng.choice([1, 2, 5, 800])}\n"
            for i in range(k // 4)
        )
    elif kind == 4:  # many related items
        front = "webUrl: https://a.org/x\nrelated:\n" + "".join(
            f"  - webUrl: https://{'www.' if i % 2 else ''}a.org/{i % 5}\n"
            f"    ampWebUrl: https://a.org/amp/{i}\n    cdnAmpWebUrl: https://b.org/{i}\n"
            f"    publishedDateTime: 2999-01-0{1 + i % 9}T00:00:00Z\n"
            for i in range(k // 4)
        )
    elif kind == 5:  # flow mapping on one line
        front = "{" + ", ".join(f"k{i}: {i}" for i in range(k)) + "}\n"
    elif kind == 6:  # JSON object with many (or repeated) keys
        if rng.random() < 0.5:
            text = "{" + ",".join(f'"k{i}": {i}' for i in range(k)) + "}"
        else:
            text = "{" + ",".join('"title": "x"' for _ in range(k)) + "}"
        return _pick_suffix(rng, JSON_SUFFIXES), text.encode()
    else:  # JSON lines: many records
        line = json.dumps(_real_record(rng))
        text = "\n".join(line if i % 10 else "{" for i in range(min(k, 300)))
        return ".jsonl", text.encode()
    return _pick_suffix(rng, TEXT_SUFFIXES), f"---\n{front}---\n{VALID_BODY}".encode()


def gen_aliases(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    kind = rng.randrange(9)
    if kind == 0:  # billion laughs
        levels, width = rng.randint(2, 12), rng.randint(2, 10)
        lines = ['a0: &a0 ["lol"]']
        for level in range(1, levels):
            refs = ", ".join([f"*a{level - 1}"] * width)
            lines.append(f"a{level}: &a{level} [{refs}]")
        lines.append(f"title: *a{levels - 1}")
        front = "\n".join(lines)
    elif kind == 1:  # a chain
        n = rng.choice([5, 50, 99, 100, 101, 500])
        lines = ["a0: &a0 x"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, n)]
        front = "\n".join(lines)
    elif kind == 2:  # many aliases of one scalar
        n = rng.choice([99, 100, 101, 1000])
        front = "a: &a x\nb: [" + ", ".join(["*a"] * n) + "]"
    elif kind == 3:
        front = rng.choice(
            [
                "title: *undefined",
                "a: &a [*a]",
                "a: &a {k: *a}",
                "&r {a: *r}",
                "*a : x",
                "a: &a x\n*a : y",
                "&k title: x\nexcerpt: *k",
                "a: &a x\na: &a y\nb: *a",
                "base: &b {title: x}\n<<: *b",
                "base: &b {title: x}\nrec:\n  <<: [*b, *b]\n  <<: *b",
                "a: &a\nb: *a",
                "a: &\nb: *",
                "a: &a !!str x\nb: !!int *a",
            ]
        )
    elif kind == 4:  # shared image lists through aliases
        front = (
            "images: &i\n  - url: https://a.org/x.jpg\n    width: 1\n    height: 1\n"
            "  - url: https://a.org/x.jpg\n    width: 100000\n    height: 2\n"
            "provider: {name: P, domain: a.org, images: *i}\n"
            "related:\n  - {webUrl: 'https://a.org/', images: *i}\n  - {webUrl: *i}"
        )
    elif kind == 5:  # aliases as keys and values everywhere
        front = "a: &a title\n" + "\n".join(f"? *a\n: {i}" for i in range(rng.randint(1, 20)))
    elif kind == 6:  # wide fan-out just under the node limit
        width = rng.choice([300, 316, 317, 1000])
        front = f"a: &a [{', '.join(['x'] * width)}]\nb: [{', '.join(['*a'] * min(width, 99))}]"
    elif kind == 7:  # anchors with odd names
        name = rng.choice(["a:b", "ä", "😀", "a" * 5000, "[", "a,b"])
        front = f"x: &{name} 1\ny: *{name}"
    else:  # JSON: aliases are not JSON, but the position pass reads JSON as YAML
        text = rng.choice(['{"a": &x 1, "b": *x}', "[*a]", '{"t": "&a", "u": "*a"}'])
        return _pick_suffix(rng, JSON_SUFFIXES), text.encode()
    return _pick_suffix(rng, TEXT_SUFFIXES), f"---\n{front}\n---\n{VALID_BODY}".encode()


def gen_huge_numbers(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    json_mode = rng.random() < 0.4
    raw = _Raw()
    record = _real_record(rng)
    fields = rng.sample(["width", "height", "quality", "heat"], rng.randint(1, 4))
    image: dict[str, Any] = {"url": "https://a.org/x.jpg", "width": 1200, "height": 675}
    for name in fields:
        token = raw.add(_huge_number(rng, json_mode))
        if name in ("width", "height"):
            image[name] = token
        else:
            record[name] = token
    record["images"] = [image]
    if json_mode:
        text = raw.apply(json.dumps(record), quoted=True)
        return _pick_suffix(rng, JSON_SUFFIXES), _encode(text, rng)
    return _pick_suffix(rng, TEXT_SUFFIXES), _encode(_record_markdown(rng, raw, record), rng)


def gen_control_chars(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    if rng.random() < 0.3:
        raw = _Raw()
        text = raw.apply(_json_dump(rng, _json_record(rng, raw), rng.random() < 0.5), True)
        suffix = _pick_suffix(rng, JSON_SUFFIXES)
    else:
        text = _base_text(rng)
        suffix = _pick_suffix(rng, TEXT_SUFFIXES)
    fence = text.find("\n---", 3)
    for _ in range(rng.randint(1, 12)):
        inside = rng.random() < 0.5 and fence > 4  # inside the front matter, or anywhere
        at = rng.randint(4, fence) if inside else rng.randint(0, len(text))
        piece = rng.choice(CONTROL_CHARS)
        if rng.random() < 0.2:  # as a YAML double-quoted escape
            piece = rng.choice(['"\\x01"', '"\\0"', '"\\e"', '"\\u0000"', '"\\N"', '"\\x7f"'])
        text = text[:at] + piece + text[at:]
    return suffix, text.encode("utf-8", "surrogatepass")


# fmt: off
_SPECIAL = (
    b"", b"\n", b"\r", b"\r\n", b" ", b"\t", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff",
    b"---", b"---\n", b"---\r\n", b"--- ", b"---\n---", b"---\n---\n", b"---\r\n---\r\n",
    b"---\n...\n", b"---\n---\n---\n", b"---\n\n---\n", b"--- \t\n---\t\n", b"----\n----\n",
    b"---\n" * 50, b"\xef\xbb\xbf---\n---\n", b"\n---\n---\n", b" ---\n---\n", b"---\n#\n---\n",
    b"---\n~\n---\n", b"---\nnull\n---\nbody", b"---\n[]\n---\n", b"---\n{}\n---\n",
    b"---\n- a\n---\n", b"---\nx\n---\n", b"---\n'x'\n---\n", b"---\n--- a\n---\n",
    b"---\n%YAML 1.1\n---\n", b"---\na: 1\n---\n---\nb: 2\n---\n", b"---\na: 1\n...",
    b"---\ra: 1\r---\r", b"---\r\na: 1\r---\n", b"[]", b"{}", b"null", b"0", b'""', b"[[]]",
    b'[{}]', b'[1, {"title": 2}]', b'{"body": null}', b'{"body": ""}', b'{"body": " "}',
    b"\n\n\n", b"{\n}\n{\n}", b"[] []", b"\x00", b"\x00" * 10, b"-", b"--", b"...", b"---\n...",
)
# fmt: on


def gen_special(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    data = rng.choice(_SPECIAL)
    if sizes.big_files and rng.random() < 0.02:  # over the default 5 MiB max-file-bytes
        data = b"---\ntitle: x\n---\n" + b"a " * (3 * 1024 * 1024)
    return _pick_suffix(rng, SUFFIXES), data


def gen_body(rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    lines = []
    for _ in range(_skewed(rng, 300)):
        roll = rng.random()
        if roll < 0.4:
            phrase = rng.choice(PACK_PHRASES)
            decorate = rng.choice(["", "• ", "- ", "* ", "| ", "> ", "## ", "  ", "1. "])
            phrase = rng.choice([phrase, phrase.upper(), phrase.title(), phrase + ":"])
            lines.append(decorate + phrase)
        elif roll < 0.8:
            lines.append(rng.choice(BODY_PIECES))
        elif roll < 0.9 and lines:
            lines.append(lines[-1])  # doubled caption
        else:
            lines.append(rng.choice(TEXTS))
    body = rng.choice(["\n", "\r\n", "\n\n"]).join(lines)
    if rng.random() < 0.5:
        return _pick_suffix(rng, TEXT_SUFFIXES), body.encode("utf-8", "replace")
    record = _real_record(rng)
    record["body"] = body
    provider = record.get("provider")
    if isinstance(provider, dict) and rng.random() < 0.5:
        provider["domain"] = rng.choice(PACK_DOMAINS)
    elif rng.random() < 0.3:
        record.pop("provider", None)
    if rng.random() < 0.3:
        return _pick_suffix(rng, JSON_SUFFIXES), json.dumps(record).encode("utf-8", "replace")
    return _pick_suffix(rng, TEXT_SUFFIXES), _record_markdown(rng, _Raw(), record).encode(
        "utf-8", "replace"
    )


Generator = Callable[[Random, Sizes], tuple[str, bytes]]

# name -> (generator, weight in the bench's mix)
GENERATORS: dict[str, tuple[Generator, int]] = {
    "random_bytes": (gen_random_bytes, 6),
    "random_text": (gen_random_text, 6),
    "truncated": (gen_truncated, 8),
    "mutated": (gen_mutated, 14),
    "broken_yaml": (gen_broken_yaml, 14),
    "record_yaml": (gen_record_yaml, 12),
    "record_json": (gen_record_json, 12),
    "encoding": (gen_encoding, 8),
    "huge_line": (gen_huge_line, 2),
    "deep_nesting": (gen_deep_nesting, 3),
    "many_keys": (gen_many_keys, 2),
    "aliases": (gen_aliases, 4),
    "huge_numbers": (gen_huge_numbers, 4),
    "control_chars": (gen_control_chars, 8),
    "special": (gen_special, 3),
    "body": (gen_body, 6),
}
KINDS: tuple[str, ...] = tuple(GENERATORS)


def generate(
    rng: Random, sizes: Sizes = TEST_SIZES, kind: str | None = None
) -> tuple[str, str, bytes]:
    """One input: (kind, suffix, content), the kind drawn by weight unless given."""
    if kind is None:
        names = list(GENERATORS)
        kind = rng.choices(names, weights=[GENERATORS[n][1] for n in names])[0]
    suffix, content = GENERATORS[kind][0](rng, sizes)
    return kind, suffix, content


# --- Hypothesis strategies ------------------------------------------------------------------


def _from_random(kind: str, rng: Random, sizes: Sizes) -> tuple[str, bytes]:
    return GENERATORS[kind][0](rng, sizes)


def generated(
    kinds: Iterable[str] = KINDS, sizes: Sizes = TEST_SIZES
) -> st.SearchStrategy[tuple[str, bytes]]:
    """(suffix, content) from the named generators, driven by a Hypothesis-recorded Random."""
    return st.builds(
        _from_random,
        st.sampled_from(list(kinds)),
        st.randoms(use_true_random=False, note_method_calls=False),
        st.just(sizes),
    )


raw_bytes: st.SearchStrategy[tuple[str, bytes]] = st.tuples(
    st.sampled_from(SUFFIXES), st.binary(max_size=2048)
)

_YAMLISH = st.text(
    alphabet=st.sampled_from(list("ab:- \n\t[]{}&*!|>'\"#?,%@`\\.01é\r\x00\u2028\ufeff")),
    max_size=300,
)
yamlish_front_matter: st.SearchStrategy[tuple[str, bytes]] = st.tuples(
    st.sampled_from(TEXT_SUFFIXES),
    _YAMLISH.map(lambda s: f"---\n{s}\n---\nbody\n".encode("utf-8", "surrogatepass")),
)


def fuzz_files(sizes: Sizes = TEST_SIZES) -> st.SearchStrategy[tuple[str, bytes]]:
    """Any fuzz input: native bytes and YAML-ish text (best shrinking), or a generator."""
    return st.one_of(raw_bytes, yamlish_front_matter, generated(KINDS, sizes))


file_stems: st.SearchStrategy[str] = st.sampled_from(NAME_STEMS)


# --- running newslint on generated files ----------------------------------------------------

TIGHT_CONFIG = """\
[limits]
max-file-bytes = 200000
max-front-matter-bytes = 4096
max-depth = 4
max-aliases = 3
max-nodes = 300
"""
FUZZ_KEY = base64.b64encode(bytes(range(32))).decode("ascii")


def write_inputs(
    folder: Path, inputs: Sequence[tuple[str, bytes]], stems: Sequence[str] | None = None
) -> list[Path]:
    """Write each (suffix, content) as its own file; names are unique and in order."""
    paths = []
    for index, (suffix, content) in enumerate(inputs):
        stem = stems[index % len(stems)] if stems else "input"
        path = folder / f"{index:05d}-{stem}{suffix}"
        path.write_bytes(content)
        paths.append(path)
    return paths


def prepare_folder(folder: Path, config: str = "", key: bool = False) -> None:
    """A newslint.toml (so no config above the temp folder applies) and, if asked, a key."""
    text = config
    if key:
        (folder / "fuzz.key").write_text(FUZZ_KEY + "\n", encoding="utf-8")
        text = 'secured-key-file = "fuzz.key"\n' + text
    (folder / "newslint.toml").write_text(text, encoding="utf-8")


def run_newslint(paths: Sequence[Path], *, jobs: int = 1, cache: bool = False) -> CheckRun:
    """check() in-process, as the CLI would run it on these files (the temp folder's
    newslint.toml applies; with ``cache`` its .newslint_cache is read and written)."""
    return check(CheckOptions(paths=list(paths), use_cache=cache, jobs=jobs))


def describe_exception(error: BaseException, during: str = "check()") -> str:
    """A one-line violation for an exception: type, message and the newslint functions it
    passed through (so KNOWN_BUGS can recognise it)."""
    frames = [
        frame.name
        for frame in traceback.extract_tb(error.__traceback__)
        if "/validator/" in frame.filename or "/rules/" in frame.filename
    ]
    where = f" (in {' > '.join(frames[-6:])})" if frames else ""
    return f"run: {during} raised {type(error).__name__}: {str(error)[:200]}{where}"


def checked_run(
    paths: Sequence[Path], *, jobs: int = 1, cache: bool = False
) -> tuple[CheckRun | None, list[str]]:
    """run_newslint, with an exception turned into a violation instead of raised."""
    try:
        return run_newslint(paths, jobs=jobs, cache=cache), []
    except Exception as error:
        return None, [describe_exception(error)]


def outcome_of(run: CheckRun) -> tuple[list[tuple[str, int, str]], list[dict[str, object]]]:
    """What must be identical between two runs on the same files."""
    files = [(f.path, f.records, f.status) for f in run.result.files]
    return files, [f.as_dict() for f in run.result.findings]


# --- invariants -----------------------------------------------------------------------------

_STATUSES = ("clean", "findings", "unreadable")
# The JUnit reporter is quadratic in a file's findings (KNOWN_BUGS: junit-quadratic); above
# this many findings in one file it is not rendered, or one input could stall a bench for hours.
JUNIT_MAX_FINDINGS_PER_FILE = 2_000
_REFERENCE: Draft202012Validator | None = None
_FAST: Any = None


def report_validator() -> Draft202012Validator:
    """jsonschema's validator for schemas/report.schema.json (and jsonschema-rs's, if
    installed, to answer "valid?" fast on big reports)."""
    global _REFERENCE, _FAST
    if _REFERENCE is None:
        schema = json.loads((REPO / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
        _REFERENCE = Draft202012Validator(schema)
        try:
            import jsonschema_rs

            _FAST = jsonschema_rs.Draft202012Validator(schema)
        except Exception:  # not installed, or cannot take the schema: the reference alone
            _FAST = None
    return _REFERENCE


def report_schema_errors(document: Any) -> list[str]:
    reference = report_validator()
    if _FAST is not None:
        try:
            if _FAST.is_valid(document):
                return []
        except Exception:  # e.g. text jsonschema-rs cannot take: ask the reference
            pass
    elif isinstance(document, dict) and len(document.get("findings") or []) > 2_000:
        document = {**document, "findings": document["findings"][:2_000]}  # bound the cost
    errors = sorted(reference.iter_errors(document), key=lambda e: list(map(str, e.path)))
    return [
        f"/{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}" for error in errors
    ]


def _line_bound(content: bytes) -> int | None:
    """Generous last line a finding may name in this file: its lines, by any line break
    YAML or Python knows, plus one (the empty body after a final fence). None when the file
    was not read as text."""
    text = decode(content).text
    if text is None:
        return None
    return len(text.splitlines()) + 2


def invariant_violations(
    run: CheckRun,
    paths: Sequence[Path],
    contents: Sequence[bytes] | None = None,
    max_render_seconds: float | None = None,
) -> list[str]:
    """Every way ``run`` breaks the fuzzing invariants, as messages (empty: all kept).

    Each message starts with its file's display path (or 'run:') so a batch's violation
    can be traced to its input."""
    problems: list[str] = []
    result = run.result
    registry = run.registry.rules
    expected = [display_path(p) for p in paths]
    # The run itself. A rule crash is reported below, finding by finding; crashed and exit
    # code 2 are then its consequences, and only reported when they disagree with it.
    crash_findings = any(f.rule == CRASH_SLUG for f in result.findings)
    if result.crashed != crash_findings:
        problems.append(
            f"run: result.crashed is {result.crashed} with "
            f"{'a' if crash_findings else 'no'} {CRASH_SLUG} finding"
        )
    try:
        exit_code = run.exit_code
    except Exception as error:  # exit_code must never raise
        problems.append(f"run: exit_code raised {type(error).__name__}: {error}")
        exit_code = -1
    if exit_code not in ((2,) if result.crashed else (0, 1)):
        problems.append(f"run: exit code {exit_code} (crashed: {result.crashed})")
    # Files: each input exactly once, consistent status.
    seen = Counter(f.path for f in result.files)
    for path in expected:
        if seen[path] != 1:
            problems.append(f"{path}: appears {seen[path]} times in result.files")
    for path in seen:
        if path not in expected:
            problems.append(f"{path}: in result.files but not an input")
    by_path = {f.path: f for f in result.files}
    finding_paths = Counter(f.path for f in result.findings)
    for file in result.files:
        if file.status not in _STATUSES:
            problems.append(f"{file.path}: status {file.status!r}")
        if file.records < 1:
            problems.append(f"{file.path}: {file.records} records")
        if file.status == "clean" and finding_paths[file.path]:
            problems.append(f"{file.path}: status clean with {finding_paths[file.path]} findings")
        if file.status == "findings" and not finding_paths[file.path]:
            problems.append(f"{file.path}: status findings without findings")
    bounds: dict[str, int | None] = {}
    if contents is not None:
        bounds = {display_path(p): _line_bound(c) for p, c in zip(paths, contents, strict=True)}
    # Findings.
    for f in result.findings:
        where = f"{f.path}:{f.line}:{f.column}"
        if f.rule == CRASH_SLUG:
            problems.append(f"{f.path}: rule crash: {f.message}")
            continue
        if "took longer than" in f.message:  # the per-record time limit was hit on load
            problems.append(f"{f.path}: time limit: [{f.rule}] {f.message}")
        if f.rule not in registry:
            problems.append(f"{where}: rule {f.rule!r} is not in the registry")
        elif registry[f.rule].code != f.code:
            problems.append(f"{where}: code {f.code} is not {f.rule}'s {registry[f.rule].code}")
        if not isinstance(f.line, int) or f.line < 1:
            problems.append(f"{where}: line {f.line!r} < 1 [{f.rule}]")
        if not isinstance(f.column, int) or f.column < 1:
            problems.append(f"{where}: column {f.column!r} < 1 [{f.rule}]")
        if f.end_line is not None and f.end_line <= f.line:
            problems.append(f"{where}: end_line {f.end_line} <= line [{f.rule}]")
        if not isinstance(f.message, str) or not f.message.strip():
            problems.append(f"{where}: empty message [{f.rule}]")
        if not isinstance(f.severity, Severity):
            problems.append(f"{where}: severity {f.severity!r} [{f.rule}]")
        if f.pointer and not f.pointer.startswith("/"):
            problems.append(f"{where}: pointer {f.pointer!r} [{f.rule}]")
        file = by_path.get(f.path)
        if file is None:
            problems.append(f"{where}: finding for a file not in result.files [{f.rule}]")
        elif not 0 <= f.record < file.records:
            problems.append(f"{where}: record {f.record} of {file.records} [{f.rule}]")
        bound = bounds.get(f.path)
        if bound is not None and (f.end_line or f.line) > bound:
            problems.append(
                f"{where}: line {f.end_line or f.line} beyond the file's {bound - 2} lines "
                f"[{f.rule}]"
            )
    problems.extend(report_violations(run, max_render_seconds))
    return problems


def report_violations(run: CheckRun, max_seconds: float | None = None) -> list[str]:
    """Every format renders, encodes as UTF-8 (as the CLI writes it) and is well-formed;
    the JSON report validates against schemas/report.schema.json and matches the run.
    With ``max_seconds``, a format that takes longer to render is a violation too."""
    problems: list[str] = []
    most = max(Counter(f.path for f in run.result.findings).values(), default=0)
    for fmt in sorted(REPORTERS):
        if fmt == "junit" and most > JUNIT_MAX_FINDINGS_PER_FILE:
            continue
        started = time.perf_counter()
        try:
            rendered = run.render(fmt)
        except Exception as error:
            problems.append(f"run: {fmt} report raised {type(error).__name__}: {error}")
            continue
        elapsed = time.perf_counter() - started
        if max_seconds is not None and elapsed > max_seconds:
            problems.append(
                f"run: {fmt} report took {elapsed:.1f} s for {len(run.result.findings)} findings"
            )
        try:
            rendered.encode("utf-8")
        except UnicodeEncodeError as error:
            problems.append(f"run: {fmt} report is not encodable as UTF-8: {error}")
        if fmt in ("json", "sarif"):
            try:
                document = json.loads(rendered)
            except ValueError as error:
                problems.append(f"run: {fmt} report is not JSON: {error}")
                continue
            if fmt == "json":
                for error in report_schema_errors(document)[:3]:
                    problems.append(f"run: JSON report invalid at {error}")
                if document.get("summary", {}).get("findings") != len(run.result.findings):
                    problems.append("run: JSON report summary.findings differs from the run")
        elif fmt == "junit":
            try:
                ET.fromstring(rendered.encode("utf-8", "surrogatepass"))
            except ET.ParseError as error:
                problems.append(f"run: junit report is not well-formed XML: {error}")
    return problems


def determinism_violations(first: CheckRun, second: CheckRun) -> list[str]:
    a, b = outcome_of(first), outcome_of(second)
    if a == b:
        return []
    if a[0] != b[0]:
        return ["run: result.files differ between two runs on the same input"]
    only_a = [f for f in a[1] if f not in b[1]]
    only_b = [f for f in b[1] if f not in a[1]]
    sample = (only_a or only_b or [{"path": "run", "message": "order differs"}])[0]
    return [
        f"{sample['path']}: findings differ between two runs on the same input "
        f"({len(only_a)} only in the first, {len(only_b)} only in the second; e.g. "
        f"{sample.get('rule')}: {str(sample.get('message'))[:120]})"
    ]


# --- known bugs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownBug:
    """A bug the fuzzer found in code outside tests/fuzz. Violations matching it are counted,
    not failed, by the property tests, so the suite stays green; its targeted regression test
    in test_fuzz.py is xfail(strict=True) and starts passing (failing the suite) once fixed —
    then delete the entry here and the xfail mark there."""

    id: str
    summary: str
    fragments: tuple[str, ...]  # all must occur in the violation message

    def matches(self, violation: str) -> bool:
        return all(fragment in violation for fragment in self.fragments)


KNOWN_BUGS: tuple[KnownBug, ...] = (
    # Empty: every bug the fuzzer found so far is fixed, and its regression test in
    # test_fuzz.py now asserts the right behaviour. Add an entry (and an xfail test) when a
    # new one is found, so the suite stays green until it is fixed.
)


def known_bug(violation: str) -> KnownBug | None:
    for bug in KNOWN_BUGS:
        if bug.matches(violation):
            return bug
    return None


def split_known(violations: Iterable[str]) -> tuple[list[str], list[str]]:
    """(new, known) violations."""
    new: list[str] = []
    known: list[str] = []
    for violation in violations:
        (known if known_bug(violation) else new).append(violation)
    return new, known

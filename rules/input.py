"""input/: a file that cannot be read as a record, or whose front matter is malformed.

The loaders find these problems while reading; each rule here reports the ones of its slug,
so they can be selected, ignored, re-graded and explained like any other rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from validator.findings import Problem, Severity
from validator.records import Record
from validator.rule import CheckContext, Rule


class LoadProblemRule(Rule):
    needs = "any"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        return record.load_problems.get(self.slug, ())


class NotUtf8(LoadProblemRule):
    slug = "input/encoding"
    version = "3"  # 3: columns in characters; lone surrogates placed; 2: per JSON line
    code = "IN001"
    severity = Severity.ERROR
    summary = "File is not UTF-8 (invalid bytes, or UTF-16/32)"
    what = (
        "Reports a file that is not valid UTF-8, naming the first bad byte's line and column "
        "(in a JSON-lines file, of each line that holds one, on that line's record)."
    )
    why = (
        "Publishing pipelines and JSON consumers expect UTF-8; a stray Windows-1252 byte "
        "turns into mojibake or a crash downstream."
    )
    bad = "title: Caf\\xe9 opens   # the byte 0xE9 alone, as Latin-1 writes it"
    good = "title: Café opens      # saved as UTF-8"


class Binary(LoadProblemRule):
    slug = "input/binary"
    code = "IN002"
    severity = Severity.ERROR
    summary = "File is binary, not a text record"
    what = (
        "Reports a file whose first 8 KiB hold a NUL byte: an image, archive or other binary. "
        "A NUL further on is a text record's flaw: meta/control-character reports it."
    )
    why = "A binary file among records is a mis-commit; its content cannot be checked."
    bad = "news/photo.md  (actually a JPEG)"
    good = "Keep images out of the record folders; reference them by URL in images:."


class YamlSyntax(LoadProblemRule):
    slug = "input/yaml-syntax"
    version = "2"  # 2: tab-indented blank lines and control characters, also on the fast path
    code = "IN003"
    severity = Severity.ERROR
    summary = "Front matter is not valid YAML"
    what = "Reports a YAML syntax error in the front matter, at the line YAML names."
    why = "A site generator or importer will refuse or misread the whole record."
    bad = '---\ntitle: "Unclosed quote\nexcerpt: ...\n---'
    good = '---\ntitle: "Closed quote"\nexcerpt: ...\n---'


class UnterminatedFrontMatter(LoadProblemRule):
    slug = "input/unterminated-front-matter"
    version = "2"  # 2: a file that is only '---' is unterminated front matter
    code = "IN004"
    severity = Severity.ERROR
    summary = "Front matter opened with '---' is never closed"
    what = "Reports a file whose first line is '---' with no closing '---' line after it."
    why = "Without the closing line the body is read as YAML and the record is unusable."
    bad = "---\ntitle: A title\nThe body starts here."
    good = "---\ntitle: A title\n---\nThe body starts here."


class FrontMatterNotMapping(LoadProblemRule):
    slug = "input/front-matter-not-mapping"
    version = "2"  # 2: JSON type names; in a JSON array, at the element, not line 1
    code = "IN005"
    severity = Severity.ERROR
    summary = "Front matter (or JSON record) is not a mapping of fields"
    what = (
        "Reports front matter that is empty, a list or a single value, a JSON record that is "
        "not an object, a non-string JSON body, and a JSON file with no records."
    )
    why = "A news record is a set of named fields; anything else cannot be checked or used."
    bad = "---\n- title\n- excerpt\n---"
    good = "---\ntitle: A title\nexcerpt: A summary\n---"


class NoFrontMatter(LoadProblemRule):
    slug = "input/no-front-matter"
    version = "2"  # 2: a file that is only '---' is unterminated front matter
    code = "IN006"
    severity = Severity.WARNING
    summary = "Text file without front matter (checked as a body-only record)"
    what = (
        "Reports a text record whose first line is not '---'. Its body is still checked by the "
        "body and boilerplate rules; the field rules cannot run."
    )
    why = (
        "Scraped bodies arrive without metadata; the record cannot be published until its "
        "fields are added. Ignore this rule for folders that hold body-only text by design."
    )
    bad = "Accessibility links\n\nBreaking News\n..."
    good = "---\ntitle: ...\n---\nThe article text."


class DuplicateKey(LoadProblemRule):
    slug = "input/duplicate-key"
    version = "2"  # 2: Unicode forms; complex keys; placed right in large JSON arrays
    code = "IN007"
    severity = Severity.ERROR
    summary = "A key appears twice in one mapping"
    what = (
        "Reports a key repeated in the same mapping of the front matter or JSON object, also "
        "when written in another Unicode form (an accented letter composed or not)."
    )
    why = (
        "YAML and JSON readers disagree on which value wins (first, last, or an error), so the "
        "record means different things to different tools."
    )
    bad = "title: First title\ntitle: Second title"
    good = "title: Second title"


class TooLarge(LoadProblemRule):
    slug = "input/too-large"
    version = "2"  # per JSON line since 0.1: cached results of older runs are redone
    code = "IN008"
    severity = Severity.ERROR
    summary = "File, JSON line or front matter over the configured size limit"
    what = (
        "Reports a file over limits.max-file-bytes (not read at all), a line of a JSON-lines "
        "file over limits.max-line-bytes (that record is not read; the other lines are still "
        "checked, as a JSON-lines file of any size is read line by line), or front matter over "
        "limits.max-front-matter-bytes (not parsed)."
    )
    why = (
        "A news record is kilobytes; a huge record (or a huge file of one or a few records) is "
        "a mistake and would slow every check."
    )
    bad = "a 40 MB record with an embedded base64 video"
    good = "Reference media by URL; keep records small."


class YamlLimits(LoadProblemRule):
    slug = "input/yaml-limits"
    version = "2"  # 2: huge JSON integers (at their place) and JSON numbers over a float
    code = "IN009"
    severity = Severity.ERROR
    summary = "Front matter too deep, too many aliases, or expands too far"
    what = (
        "Reports front matter (or JSON) nested deeper than limits.max-depth, using more than "
        "limits.max-aliases aliases, or expanding to more than limits.max-nodes values; and "
        "a JSON integer of more than 256 bits or a JSON number too large for a float (1e400)."
    )
    why = (
        "Such documents ('billion laughs') exhaust memory or stack in YAML readers; real "
        "records need none of it. newslint refuses them without expanding them."
    )
    bad = 'a: &a ["x","x","x","x"]\nb: &b [*a,*a,*a,*a]\nc: [*b,*b,*b,*b]  # and so on'
    good = "Write values out; news records need no anchors."


class YamlTag(LoadProblemRule):
    slug = "input/yaml-tag"
    version = "2"  # 2: a float too large to read (1.0e+400) is kept as text, reported
    code = "IN010"
    severity = Severity.WARNING
    summary = "Unsupported YAML tag or non-text key"
    what = (
        "Reports explicit YAML tags other than the standard scalar, list and mapping ones "
        "(such as !!python/object), lists or mappings used as keys, and values that cannot be "
        "read as their type ('!!int abc', a float too large such as 1.0e+400), kept as text."
    )
    why = (
        "Tags can make unsafe loaders construct objects; newslint never does and reads the "
        "value as text, but the record should not carry them."
    )
    bad = "title: !!python/object:os.system echo"
    good = "title: A plain title"


class JsonSyntax(LoadProblemRule):
    slug = "input/json-syntax"
    version = "2"  # 2: NaN and Infinity are reported: they are not JSON
    code = "IN011"
    severity = Severity.ERROR
    summary = "JSON or JSON-lines record is not valid JSON"
    what = (
        "Reports a JSON syntax error with its line and column, NaN and Infinity included (Python "
        "reads them; JSON has no such values). In a JSON-lines file only the broken line is "
        "reported; the other lines are still checked."
    )
    why = "An importer will drop or refuse the record."
    bad = '{"title": "A title",}'
    good = '{"title": "A title"}'


class Unreadable(LoadProblemRule):
    slug = "input/unreadable"
    code = "IN012"
    severity = Severity.ERROR
    summary = "Path missing, not a regular file, or not readable"
    what = (
        "Reports a path that does not exist, cannot be read (permissions), vanished during the "
        "run, or is a FIFO, socket or device."
    )
    why = "Every path asked for appears in the report; none is skipped silently."
    bad = "newslint check news/missing.md"
    good = "Check paths that exist and that newslint may read."


RULES = (
    NotUtf8,
    Binary,
    YamlSyntax,
    UnterminatedFrontMatter,
    FrontMatterNotMapping,
    NoFrontMatter,
    DuplicateKey,
    TooLarge,
    YamlLimits,
    YamlTag,
    JsonSyntax,
    Unreadable,
)

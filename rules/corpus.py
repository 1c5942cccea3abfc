"""corpus/: problems only visible across records - duplicates and dangling related links.

These rules run in `newslint report` (the audit), after every record has been checked; a
single-file `newslint check` cannot see the corpus and does not run them.
"""

from __future__ import annotations

import abc
import math
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import ClassVar
from urllib.parse import urlsplit

from pydantic import Field

from rules.link import url_key
from validator.findings import Severity
from validator.rule import CheckContext, CorpusProblem, CorpusRule, RuleOptions
from validator.summary import RecordSummary, estimated_similarity

MAX_NAMED = 5  # copies named in one message; the rest are counted


def _where(summary: RecordSummary) -> str:
    return summary.path if summary.record == 0 else f"{summary.path} (record {summary.record})"


def _copies_message(what: str, named: list[RecordSummary], others: int) -> str:
    """`named`: the first copies to name (at most MAX_NAMED); `others`: how many in all."""
    listed = ", ".join(_where(s) for s in named)
    more = f" and {others - len(named)} more" if others > len(named) else ""
    return f"{what} also in {listed}{more}"


def comparable_url(url: str) -> str:
    """A URL as the corpus rules compare it: link.url_key (no scheme, 'www.', trailing '/'
    or fragment) with its query parameters sorted, since '?a=1&b=2' and '?b=2&a=1' are one
    page."""
    base, marked, query = url_key(url).partition("?")
    parameters = sorted(part for part in query.split("&") if part) if marked else []
    return f"{base}?{'&'.join(parameters)}" if parameters else base


def _groups(
    summaries: Sequence[RecordSummary], key: Callable[[RecordSummary], str | None]
) -> Iterator[list[RecordSummary]]:
    groups: dict[str, list[RecordSummary]] = defaultdict(list)
    for summary in summaries:
        value = key(summary)
        if value:
            groups[value].append(summary)
    for group in groups.values():
        if len(group) > 1:
            yield group


def _each_copy(group: list[RecordSummary], what: str, pointer: str) -> Iterator[CorpusProblem]:
    # Only the first copies are named: each message looks at MAX_NAMED + 1 of the group, not
    # all of it, or a URL shared by thousands of records costs the square of thousands.
    head = group[: MAX_NAMED + 1]
    for summary in group:
        named = [s for s in head if s is not summary][:MAX_NAMED]
        message = _copies_message(what, named, len(group) - 1)
        yield CorpusProblem(summary.path, summary.record, message, pointer)


class _SameKey(CorpusRule):
    """Records that share a key (URL, title, body hash) are duplicates of each other."""

    copies: ClassVar[str]  # what the copies share, for the message

    @staticmethod
    @abc.abstractmethod
    def key(summary: RecordSummary) -> str | None:
        """What the copies share (None: the record takes no part)."""

    @staticmethod
    @abc.abstractmethod
    def pointer(summary: RecordSummary) -> str:
        """Where in a record the finding points."""

    def check_corpus(
        self, summaries: Sequence[RecordSummary], context: CheckContext
    ) -> Iterable[CorpusProblem]:
        for group in _groups(summaries, self.key):
            yield from _each_copy(group, self.copies, self.pointer(group[0]))


class DuplicateUrl(_SameKey):
    slug = "corpus/duplicate-url"
    code = "CP001"
    severity = Severity.ERROR
    summary = "Two records share a webUrl or originalUrl"
    what = (
        "Reports every record whose webUrl (or, without one, originalUrl) - compared without "
        "scheme, 'www.', trailing '/' and fragment, query parameters in any order - is also "
        "another record's, naming the other copies."
    )
    why = "The same story imported twice shows up twice in feeds and splits its statistics."
    bad = "news/a.md and news/b.md both with webUrl https://example.org/story"
    good = "one record per story; delete or merge the copy"
    copies = "the same URL is"
    version = "2"  # 2: query parameters compared in any order

    @staticmethod
    def key(summary: RecordSummary) -> str | None:
        url = summary.web_url or summary.original_url
        return comparable_url(url) if url else None

    @staticmethod
    def pointer(summary: RecordSummary) -> str:
        return "/webUrl" if summary.web_url else "/originalUrl"


class DuplicateTitle(_SameKey):
    slug = "corpus/duplicate-title"
    code = "CP002"
    severity = Severity.WARNING
    summary = "Two records of one provider share a title"
    what = (
        "Reports records whose title, compared by its words ignoring case and punctuation, "
        "and provider are those of another record."
    )
    why = "Usually the same story at two URLs (a tracking parameter, an AMP page)."
    bad = 'two records of hrw.org titled "Russia Expands Facial Recognition"'
    good = "one record per story"
    copies = "the same title and provider are"
    version = "2"  # 2: titles without a word ('!!!') are no one's duplicates; NFKC words

    @staticmethod
    def key(summary: RecordSummary) -> str | None:
        return summary.title_key

    @staticmethod
    def pointer(summary: RecordSummary) -> str:
        return "/title"


class DuplicateBody(_SameKey):
    slug = "corpus/duplicate-body"
    code = "CP003"
    severity = Severity.WARNING
    summary = "Two records have the same body text"
    what = (
        "Reports records whose body, compared by its words (NFKC) ignoring case and "
        "punctuation, is another record's."
    )
    why = "A copied body under another title or URL: a scraping slip or a republished story."
    bad = "two records with word-for-word identical bodies"
    good = "one record per story"
    copies = "the same body is"
    version = "2"  # 2: words compared after NFKC (composed and decomposed accents alike)

    @staticmethod
    def key(summary: RecordSummary) -> str | None:
        return summary.body_hash

    @staticmethod
    def pointer(summary: RecordSummary) -> str:
        return "/body"


class NearOptions(RuleOptions):
    threshold: float = Field(
        0.8, gt=0, le=1, description="estimated Jaccard similarity of 5-word shingles"
    )


class NearDuplicateBody(CorpusRule):
    slug = "corpus/near-duplicate-body"
    code = "CP004"
    severity = Severity.INFO
    summary = "Two records have nearly the same body text"
    Options = NearOptions
    what = (
        "Reports pairs of bodies (of at least 50 words) whose sets of 5-word shingles overlap by "
        "at least `threshold` (default 0.8), estimated with 64-value bottom-k MinHash sketches; "
        "identical bodies are left to corpus/duplicate-body. Memory per record is the sketch only."
    )
    why = "The same story with a changed paragraph or boilerplate: a duplicate a hash cannot see."
    bad = "two bodies that differ only in their last paragraph"
    good = "one record per story"
    # 2: prefix-filtered candidates (no quadratic blow-up), copies named together, NFKC words
    version = "2"

    def check_corpus(
        self, summaries: Sequence[RecordSummary], context: CheckContext
    ) -> Iterable[CorpusProblem]:
        assert isinstance(self.options, NearOptions)
        # Copies of one body are compared once, through the first of them.
        copies: dict[str, list[int]] = defaultdict(list)
        for index, summary in enumerate(summaries):
            if summary.sketch and summary.body_hash:
                copies[summary.body_hash].append(index)
        firsts = [indexes[0] for indexes in copies.values()]
        sketches = [summaries[index].sketch for index in firsts]
        near: dict[int, list[tuple[int, float]]] = defaultdict(list)  # first copy -> pairs
        for a, b, similarity in near_pairs(sketches, self.options.threshold):
            near[firsts[a]].append((firsts[b], similarity))
            near[firsts[b]].append((firsts[a], similarity))
        first_of = {index: indexes[0] for indexes in copies.values() for index in indexes}
        for index, summary in enumerate(summaries):
            pairs = near.get(first_of.get(index, -1))
            if pairs:
                yield self._problem(summaries, summary, pairs, copies)

    @staticmethod
    def _problem(
        summaries: Sequence[RecordSummary],
        summary: RecordSummary,
        pairs: list[tuple[int, float]],
        copies: dict[str, list[int]],
    ) -> CorpusProblem:
        ranked = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))
        others = [
            (other, similarity)
            for first, similarity in ranked
            for other in copies[str(summaries[first].body_hash)]
        ]
        named = ", ".join(f"{_where(summaries[o])} ({s:.0%})" for o, s in others[:MAX_NAMED])
        more = f" and {len(others) - MAX_NAMED} more" if len(others) > MAX_NAMED else ""
        return CorpusProblem(
            summary.path, summary.record, f"body nearly the same as {named}{more}", "/body"
        )


_FREQUENCY_SLOTS = 1 << 20  # sketch values' frequencies, approximately, in 4 MB


def _value_frequencies(sketches: Sequence[tuple[int, ...]]) -> array[int]:
    counts = array("I", bytes(4 * _FREQUENCY_SLOTS))
    for sketch in sketches:
        for value in sketch:
            counts[value % _FREQUENCY_SLOTS] += 1
    return counts


def near_pairs(
    sketches: Sequence[tuple[int, ...]], threshold: float
) -> Iterator[tuple[int, int, float]]:
    """(i, j, similarity) for each pair of sketches estimated at least `threshold` similar.

    Prefix filtering (the all-pairs similarity join): a pair that similar shares at least
    ceil(threshold * size) values of each sketch, so with the values of every sketch in one
    global order, rarest first, the two sketches' first `size - needed + 1` values meet. Only
    pairs that meet there are compared, and a value common to thousands of bodies (a shared
    footer) sorts last and pairs nobody: the work grows with the real candidates, not with
    the square of the corpus.
    """
    counts = _value_frequencies(sketches)
    by_value: dict[int, list[int]] = defaultdict(list)
    for index, sketch in enumerate(sketches):
        if not sketch:
            continue
        needed = math.ceil(threshold * len(sketch) - 1e-9)
        rarest = sorted(sketch, key=lambda value: (counts[value % _FREQUENCY_SLOTS], value))
        prefix = rarest[: len(sketch) - needed + 1]
        compared: set[int] = set()
        for value in prefix:
            for other in by_value.get(value, ()):
                if other not in compared:
                    compared.add(other)
                    similarity = estimated_similarity(sketches[other], sketch)
                    if similarity >= threshold:
                        yield other, index, similarity
        for value in prefix:
            by_value[value].append(index)


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


class RelatedMissing(CorpusRule):
    slug = "corpus/related-missing"
    code = "CP005"
    severity = Severity.WARNING
    summary = "A related item points at a record of this corpus that is missing or unpublished"
    what = (
        "For related items whose webUrl is on a host that records of this corpus use, reports "
        "those that match no record's webUrl (the record is missing) and those whose record "
        "has published: false (when several records share the URL, a published one "
        "counts). URLs are compared as corpus/duplicate-url compares them."
    )
    why = "Readers follow the related link to a page this corpus never published."
    bad = "related: webUrl https://example.org/b, but no record has that webUrl"
    good = "related items that point at published records (or at other sites)"
    version = "2"  # 2: URLs compared with query parameters in any order; published copy wins

    def check_corpus(
        self, summaries: Sequence[RecordSummary], context: CheckContext
    ) -> Iterable[CorpusProblem]:
        by_url: dict[str, RecordSummary] = {}
        for s in summaries:
            if s.web_url:
                key = comparable_url(s.web_url)
                # Of two copies of one URL, a published one is the page the item reaches.
                if key not in by_url or by_url[key].published is False:
                    by_url[key] = s
        hosts = {h for s in summaries if s.web_url and (h := _host(s.web_url))}
        for summary in summaries:
            for pointer, url in summary.related:
                target = by_url.get(comparable_url(url))
                if target is None:
                    if _host(url) in hosts:
                        yield CorpusProblem(
                            summary.path,
                            summary.record,
                            f"related item {url} is on this corpus's site but no record has that webUrl",
                            pointer,
                        )
                elif target.published is False:
                    yield CorpusProblem(
                        summary.path,
                        summary.record,
                        f"related item points at {_where(target)}, which is not published",
                        pointer,
                    )


RULES = (DuplicateUrl, DuplicateTitle, DuplicateBody, NearDuplicateBody, RelatedMissing)

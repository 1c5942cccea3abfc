"""corpus/: problems only visible across records - duplicates and dangling related links.

These rules run in `newslint report` (the audit), after every record has been checked; a
single-file `newslint check` cannot see the corpus and does not run them.
"""

from __future__ import annotations

import abc
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


def _copies_message(what: str, others: list[RecordSummary]) -> str:
    named = ", ".join(_where(s) for s in others[:MAX_NAMED])
    more = f" and {len(others) - MAX_NAMED} more" if len(others) > MAX_NAMED else ""
    return f"{what} also in {named}{more}"


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
    for summary in group:
        others = [s for s in group if s is not summary]
        yield CorpusProblem(summary.path, summary.record, _copies_message(what, others), pointer)


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
        "scheme, 'www.' and trailing '/' - is also another record's, naming the other copies."
    )
    why = "The same story imported twice shows up twice in feeds and splits its statistics."
    bad = "news/a.md and news/b.md both with webUrl https://example.org/story"
    good = "one record per story; delete or merge the copy"
    copies = "the same URL is"

    @staticmethod
    def key(summary: RecordSummary) -> str | None:
        url = summary.web_url or summary.original_url
        return url_key(url) if url else None

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
    what = "Reports records whose body, compared by its words ignoring case and punctuation, is another record's."
    why = "A copied body under another title or URL: a scraping slip or a republished story."
    bad = "two records with word-for-word identical bodies"
    good = "one record per story"
    copies = "the same body is"

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

    def check_corpus(
        self, summaries: Sequence[RecordSummary], context: CheckContext
    ) -> Iterable[CorpusProblem]:
        assert isinstance(self.options, NearOptions)
        by_value: dict[int, list[int]] = defaultdict(list)
        candidates: dict[tuple[int, int], int] = defaultdict(int)
        for index, summary in enumerate(summaries):
            for value in summary.sketch:
                for other in by_value[value]:
                    candidates[(other, index)] += 1
                by_value[value].append(index)
        # Sharing few sketch values means a low similarity: only likely pairs are compared.
        floor = (
            max(1, int(len(next(iter(summaries)).sketch or (0,)) * self.options.threshold / 2))
            if summaries
            else 1
        )
        near: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for (first, second), shared in candidates.items():
            a, b = summaries[first], summaries[second]
            if shared < floor or a.body_hash == b.body_hash:
                continue
            similarity = estimated_similarity(a.sketch, b.sketch)
            if similarity >= self.options.threshold:
                near[first].append((second, similarity))
                near[second].append((first, similarity))
        for index, pairs in sorted(near.items()):
            pairs.sort(key=lambda pair: -pair[1])
            named = ", ".join(f"{_where(summaries[o])} ({s:.0%})" for o, s in pairs[:MAX_NAMED])
            more = f" and {len(pairs) - MAX_NAMED} more" if len(pairs) > MAX_NAMED else ""
            summary = summaries[index]
            yield CorpusProblem(
                summary.path, summary.record, f"body nearly the same as {named}{more}", "/body"
            )


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
        "has published: false."
    )
    why = "Readers follow the related link to a page this corpus never published."
    bad = "related: webUrl https://example.org/b, but no record has that webUrl"
    good = "related items that point at published records (or at other sites)"

    def check_corpus(
        self, summaries: Sequence[RecordSummary], context: CheckContext
    ) -> Iterable[CorpusProblem]:
        by_url = {url_key(s.web_url): s for s in summaries if s.web_url}
        hosts = {h for s in summaries if s.web_url and (h := _host(s.web_url))}
        for summary in summaries:
            for pointer, url in summary.related:
                target = by_url.get(url_key(url))
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

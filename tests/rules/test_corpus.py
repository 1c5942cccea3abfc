"""corpus/: duplicates, near-duplicates and dangling related items across records."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import VALID_BODY, fields, markdown
from validator.app import CheckOptions
from validator.audit import audit

LONG_BODY = " ".join(
    f"Sentence {n} tells how the council debated the budget for schools and roads in detail."
    for n in range(12)
)


def run(tmp_path: Path, files: dict[str, str], select: str = "corpus"):  # type: ignore[no-untyped-def]
    (tmp_path / "newslint.toml").write_text("")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = audit(CheckOptions(paths=[tmp_path], select=[select], use_cache=False, jobs=1))
    return [f for f in result.run.result.findings if f.rule.startswith("corpus/")]


def record(n: int, **overrides: object) -> str:
    data = fields(
        title=f"Story number {n}",
        webUrl=f"https://www.hrw.org/news/{n}",
        originalUrl=f"https://www.hrw.org/news/{n}",
    )
    body = overrides.pop("body", f"{VALID_BODY}\nUnique line {n}.")
    data.update(overrides)
    return markdown(data, str(body))


def test_duplicate_url_names_every_copy(tmp_path: Path) -> None:
    found = run(
        tmp_path,
        {"a.md": record(1), "b.md": record(2, webUrl="http://hrw.org/news/1/")},
        "corpus/duplicate-url",
    )
    assert sorted((Path(f.path).name, f.pointer) for f in found) == [
        ("a.md", "/webUrl"),
        ("b.md", "/webUrl"),
    ]
    assert "b.md" in next(f for f in found if f.path.endswith("a.md")).message
    line = (tmp_path / "a.md").read_text().split("\n")[found[0].line - 1]
    assert line.startswith("webUrl:")


def test_distinct_urls_pass(tmp_path: Path) -> None:
    assert run(tmp_path, {"a.md": record(1), "b.md": record(2)}, "corpus/duplicate-url") == []


def test_duplicate_title_same_provider(tmp_path: Path) -> None:
    found = run(
        tmp_path,
        {"a.md": record(1, title="Same Title!"), "b.md": record(2, title="same title")},
        "corpus/duplicate-title",
    )
    assert len(found) == 2 and all(f.pointer == "/title" for f in found)


def test_same_title_other_provider_passes(tmp_path: Path) -> None:
    other = {"name": "Other", "domain": "other.org"}
    files = {"a.md": record(1, title="Same"), "b.md": record(2, title="Same", provider=other)}
    assert run(tmp_path, files, "corpus/duplicate-title") == []


def test_duplicate_body(tmp_path: Path) -> None:
    files = {"a.md": record(1, body=LONG_BODY), "b.md": record(2, body=LONG_BODY.upper())}
    found = run(tmp_path, files, "corpus/duplicate-body")
    assert len(found) == 2


def test_near_duplicate_body(tmp_path: Path) -> None:
    changed = LONG_BODY.replace("Sentence 11 tells", "Sentence eleven reports")
    files = {"a.md": record(1, body=LONG_BODY), "b.md": record(2, body=changed), "c.md": record(3)}
    found = run(tmp_path, files, "corpus/near-duplicate-body")
    assert sorted(Path(f.path).name for f in found) == ["a.md", "b.md"]
    assert "%" in found[0].message


def test_different_bodies_are_not_near_duplicates(tmp_path: Path) -> None:
    other = " ".join(
        f"Paragraph {n} describes a football match in the rain with many goals." for n in range(12)
    )
    files = {"a.md": record(1, body=LONG_BODY), "b.md": record(2, body=other)}
    assert run(tmp_path, files, "corpus/near-duplicate-body") == []


def test_related_to_missing_and_unpublished_records(tmp_path: Path) -> None:
    related = [
        {"title": "Gone", "webUrl": "https://www.hrw.org/news/404"},
        {"title": "Draft", "webUrl": "https://www.hrw.org/news/2"},
        {"title": "Elsewhere", "webUrl": "https://www.rferl.org/a/1.html"},
    ]
    files = {"a.md": record(1, related=related), "b.md": record(2, published=False)}
    found = run(tmp_path, files, "corpus/related-missing")
    assert sorted((f.pointer, f.message.split(" ")[-1]) for f in found) == [
        ("/related/0/webUrl", "webUrl"),
        ("/related/1/webUrl", "published"),
    ]


def test_related_to_published_records_passes(tmp_path: Path) -> None:
    related = [{"title": "Fine", "webUrl": "https://www.hrw.org/news/2"}]
    files = {"a.md": record(1, related=related), "b.md": record(2, published=True)}
    assert run(tmp_path, files, "corpus/related-missing") == []


@pytest.mark.parametrize("select", ["corpus"])
def test_check_does_not_run_corpus_rules(tmp_path: Path, select: str) -> None:
    from tests.helpers import check_files

    result = check_files(tmp_path, {"a.md": record(1), "b.md": record(1)}, select=[select])
    assert result.result.findings == []

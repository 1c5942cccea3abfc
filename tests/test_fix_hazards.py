"""--fix and --diff on hazardous inputs: links, owners, read-only files, names and encodings,
bodies that are all chrome, what is reported after a fix, and the exit codes. Each test names
a way a fix could lose, corrupt or silently skip data, or misreport what it did."""

from __future__ import annotations

import codecs
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import check_files, fields, markdown
from validator import fix as fix_module
from validator.cli import cli

ARTICLE = "The council approved the budget on Monday after a long debate about the schools.\n"
LATER = "Members will vote again in spring, when the next figures are known.\n"
CHROME_BODY = "Accessibility links\n\nBreaking News\n\n" + ARTICLE + "\nAdvertisement\n\n" + LATER
CLEAN_BODY = ARTICLE + "\n" + LATER


def run_cli(
    folder: Path,
    *args: str,
    select: str = '["boilerplate", "input"]',
    paths: tuple[str, ...] = (".",),
) -> tuple[int, str, str]:
    """`newslint check ARGS PATHS` run in ``folder`` (with a newslint.toml selecting rules)."""
    (folder / "newslint.toml").write_text(f"select = {select}\n", encoding="utf-8")
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        result = runner.invoke(cli, ["check", "--no-cache", *args, *paths])
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout, result.stderr


def front_of(text: str) -> str:
    return text[: text.index("---\n", 4) + 4]


# --- where the fixed bytes go ----------------------------------------------------------------


def test_fix_through_a_symlink_writes_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    """A record reached through a symlink (a corpus folder of links into a store) is fixed where it
    lives: the file the link leads to is rewritten and the link stays a link."""
    store = tmp_path / "store"
    store.mkdir()
    target = store / "a.md"
    original = markdown(fields(), CHROME_BODY)
    target.write_text(original, encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    link = corpus / "a.md"
    link.symlink_to(target)
    _, _, err = run_cli(corpus, "--fix")
    assert "removed" in err
    assert link.is_symlink(), "the symlink was replaced by a regular file"
    assert target.read_text(encoding="utf-8") == front_of(original) + CLEAN_BODY


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_fix_keeps_the_owner_and_group(tmp_path: Path) -> None:
    """The write keeps the file's owner and group: a record owned by the editors must not become
    root's because a CI job or container ran --fix as root."""
    record = tmp_path / "a.md"
    record.write_text(markdown(fields(), CHROME_BODY), encoding="utf-8")
    os.chown(record, 1234, 2345)
    os.chmod(record, 0o664)
    run_cli(tmp_path, "--fix")
    assert record.read_text(encoding="utf-8").endswith(CLEAN_BODY)
    status = record.stat()
    assert (status.st_uid, status.st_gid) == (1234, 2345)
    assert stat.S_IMODE(status.st_mode) == 0o664


def test_fix_does_not_rewrite_a_read_only_record(tmp_path: Path) -> None:
    """A read-only record (chmod a-w: 'do not touch this one') is left alone with 'not fixed', as
    editors and other fixers do, although a rename in a writable folder could replace it."""
    record = tmp_path / "a.md"
    original = markdown(fields(), CHROME_BODY)
    record.write_text(original, encoding="utf-8")
    os.chmod(record, 0o444)
    try:
        _, _, err = run_cli(tmp_path, "--fix")
    finally:
        os.chmod(record, 0o644)
    assert record.read_text(encoding="utf-8") == original
    assert "not fixed" in err


def test_the_same_file_named_twice_is_fixed_once_and_reported_as_fixed(tmp_path: Path) -> None:
    """One file named twice (a relative and an absolute path) is fixed once, with no false 'changed
    on disk while fixing', and the report after the fix has none of the removed lines'
    findings."""
    folder = tmp_path / "d"
    folder.mkdir()
    record = folder / "a.md"
    original = markdown(fields(), CHROME_BODY)
    record.write_text(original, encoding="utf-8")
    elsewhere = tmp_path / "x"
    elsewhere.mkdir()
    (elsewhere / "newslint.toml").write_text('select = ["boilerplate"]\n', encoding="utf-8")
    result = subprocess.run(
        [
            *(sys.executable, "-m", "validator", "check", "--no-cache", "--fix"),
            *("--select", "boilerplate", "--format", "json", "../d/a.md", str(record)),
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={**os.environ, "NEWSLINT_NO_REPLAY": "1"},
        timeout=120,
    )
    assert record.read_text(encoding="utf-8") == front_of(original) + CLEAN_BODY
    assert "not fixed" not in result.stderr, result.stderr
    assert json.loads(result.stdout)["findings"] == []


def _non_utf8_name_supported(folder: Path) -> bool:
    try:
        (folder / os.fsdecode(b"probe\xe9")).write_bytes(b"")
    except (OSError, UnicodeError):
        return False
    (folder / os.fsdecode(b"probe\xe9")).unlink()
    return True


def test_a_non_utf8_file_name_never_makes_fix_cut_another_file(tmp_path: Path) -> None:
    """A non-UTF-8 byte of a file name is shown as U+FFFD: with `caf\xe9.md` (chrome in its body)
    next to a record really named `caf\ufffd.md`, --fix must never cut the second file at
    the first file's line numbers."""
    if not _non_utf8_name_supported(tmp_path):
        pytest.skip("file system refuses non-UTF-8 names")
    latin1 = tmp_path / os.fsdecode(b"caf\xe9.md")
    chrome = markdown(fields(), "Advertisement\n\n" + ARTICLE)
    latin1.write_text(chrome, encoding="utf-8")
    innocent = tmp_path / "caf\ufffd.md"
    clean = markdown(fields(), "The mayor said the new bridge will open in May.\n\n" + ARTICLE)
    innocent.write_text(clean, encoding="utf-8")
    run_cli(tmp_path, "--fix")
    assert innocent.read_text(encoding="utf-8") == clean, "a clean record lost its lines"


def test_diff_and_fix_refuse_a_non_utf8_file_name_and_say_so(tmp_path: Path) -> None:
    """A record whose name is not UTF-8 (old Latin-1 archives) is reported under a shown name
    with U+FFFD, which cannot be told from a file really named so: it is not fixed, the run
    says why, and --diff exits 1 (a CI gate on --diff does not pass it by)."""
    if not _non_utf8_name_supported(tmp_path):
        pytest.skip("file system refuses non-UTF-8 names")
    record = tmp_path / os.fsdecode(b"caf\xe9.md")
    original = markdown(fields(), CHROME_BODY)
    record.write_text(original, encoding="utf-8")
    code, _, err = run_cli(tmp_path, "--diff")
    assert code == 1
    assert "name is not valid UTF-8" in err
    _, _, err = run_cli(tmp_path, "--fix")
    assert "name is not valid UTF-8" in err
    assert record.read_text(encoding="utf-8") == original


def test_fix_handles_a_record_with_a_long_file_name(tmp_path: Path) -> None:
    """The temporary file's name does not grow with the record's: a legal name over ~232 bytes
    (long slugs are common) is fixed like any other."""
    record = tmp_path / ("n" * 240 + ".md")
    original = markdown(fields(), CHROME_BODY)
    record.write_text(original, encoding="utf-8")
    _, _, err = run_cli(tmp_path, "--fix")
    assert "not fixed" not in err
    assert record.read_text(encoding="utf-8") == front_of(original) + CLEAN_BODY


# --- encodings ------------------------------------------------------------------------------


def test_a_utf16_record_is_never_cut_when_the_input_rules_are_not_selected(
    tmp_path: Path,
) -> None:
    """Whether a file is UTF-8 is read from its bytes, not from an input/encoding finding: with
    only the boilerplate rules selected, a UTF-16 record (whose bytes hold 0x0A inside
    characters such as U+010A) is left alone and the run says so."""
    text = markdown(fields(), CHROME_BODY.replace("The council", "\u010a The council"))
    record = tmp_path / "a.md"
    data = text.encode("utf-16")
    record.write_bytes(data)
    _, _, err = run_cli(tmp_path, "--fix", select='["boilerplate"]')
    after = record.read_bytes()
    assert after == data, after.decode("utf-16", errors="replace")[-300:]
    assert "not fixable" in err


def test_fix_keeps_the_utf8_byte_order_mark(tmp_path: Path) -> None:
    """A byte-order mark belongs to the file, not to its first line: removing a boilerplate first
    line keeps it (tools such as Excel rely on it)."""
    record = tmp_path / "a.txt"
    record.write_bytes(codecs.BOM_UTF8 + ("Accessibility links\n\n" + ARTICLE).encode())
    _, _, err = run_cli(tmp_path, "--fix")
    assert "removed 2 lines" in err
    assert record.read_bytes() == codecs.BOM_UTF8 + ARTICLE.encode()


def test_fix_does_not_skip_a_text_record_for_being_json(tmp_path: Path) -> None:
    """A text record with another suffix (an explicit `a.news`) is fixed as a text record, not
    skipped as JSON."""
    record = tmp_path / "a.news"
    original = markdown(fields(), CHROME_BODY)
    record.write_text(original, encoding="utf-8")
    code, _, err = run_cli(tmp_path, "--diff", paths=("a.news",))
    assert "JSON" not in err
    assert code == 1 or "not fixable" in err


# --- the diff ---------------------------------------------------------------------------------


@pytest.mark.parametrize("separator", ["\u2028", "\r", "\x0c", "\x85"])
def test_diff_is_a_valid_patch_when_a_line_holds_a_unicode_line_separator(
    tmp_path: Path, separator: str
) -> None:
    """The diff breaks lines at LF only, as the fix does: a kept line holding U+2028, a lone CR, a
    form feed or NEL (common in scraped text) is one diff line, so patch and git apply take
    the diff."""
    body = (
        "Advertisement\n\nThe council approved the budget." + separator + "It was late.\n\n" + LATER
    )
    record = tmp_path / "a.md"
    original = markdown(fields(), body)
    record.write_bytes(original.encode("utf-8"))
    _, out, _ = run_cli(tmp_path, "--diff")
    assert "\\ No newline at end of file" not in out
    removed = [
        line for line in out.splitlines() if line.startswith("-") and not line.startswith("---")
    ]
    kept = [line for line in out.split("\n") if line.startswith(" ")]
    assert removed == ["-Advertisement", "-"]
    assert " The council approved the budget." + separator + "It was late." in kept


# --- what the run reports after --fix ---------------------------------------------------------


def test_findings_reported_after_fix_point_at_the_fixed_file(tmp_path: Path) -> None:
    """After --fix the report gives the findings of the files as they are now: a finding below
    removed lines points at its new lines, so SARIF and editor annotations land on the right
    line."""
    sections = ("World", "Politics", "Business", "Technology", "Science", "Sports", "Opinion")
    menu = "\n".join((*sections, "Culture", "Travel", "Health", "Education", "Climate"))
    paragraph = "The council approved the budget on Monday after a long debate about roads. " * 6
    body = "Advertisement\n\nAdvertisement\n\n" + paragraph.strip() + "\n\n" + paragraph.strip()
    body += "\n\n" + menu + "\n"
    record = tmp_path / "a.md"
    record.write_text(markdown(fields(), body), encoding="utf-8")
    _, out, _ = run_cli(tmp_path, "--fix", "--format", "json", select='["boilerplate"]')
    menu_run = [f for f in json.loads(out)["findings"] if f["rule"] == "boilerplate/menu-run"]
    assert len(menu_run) == 1
    lines = record.read_text(encoding="utf-8").split("\n")
    assert lines[menu_run[0]["line"] - 1] == "World"
    assert lines[menu_run[0]["end_line"] - 1] == "Climate"


def test_fix_does_not_empty_a_body_that_is_only_boilerplate(tmp_path: Path) -> None:
    """A body that is boilerplate from end to end (boilerplate/only-boilerplate: the scrape missed
    the article) is left for a person; --fix does not quietly turn it into an empty body."""
    record = tmp_path / "a.md"
    original = markdown(fields(), "Accessibility links\n\nBreaking News\n\nAdvertisement\n")
    record.write_text(original, encoding="utf-8")
    _, out, err = run_cli(tmp_path, "--fix", select='["boilerplate", "input", "body"]')
    body = record.read_text(encoding="utf-8")[len(front_of(original)) :]
    assert body.strip(), f"the whole body was deleted; the run said: {out}{err}"


def test_fix_is_idempotent_when_a_removal_makes_a_caption_double(tmp_path: Path) -> None:
    """A removal can bring two copies of a caption together; --fix checks again until nothing
    fixable is left, so `check --fix && check --diff` passes on the fixed tree."""
    caption = "Council members at the vote in the town hall\n"
    body = ARTICLE + "\n" + caption + "\nAdvertisement\n\n" + caption + "\n" + LATER
    record = tmp_path / "a.md"
    record.write_text(markdown(fields(), body), encoding="utf-8")
    run_cli(tmp_path, "--fix")
    code, out, _ = run_cli(tmp_path, "--diff")
    assert (code, out) == (0, "")


def test_no_gap_is_left_where_blank_lines_hold_a_no_break_space(tmp_path: Path) -> None:
    """Lines holding only U+00A0 (&nbsp;, how scraped bodies often separate paragraphs) are blank
    to the fix as to the rules: removing leading chrome leaves no blank-looking lines
    behind."""
    nbsp = "\u00a0\n"
    record = tmp_path / "a.md"
    original = markdown(
        fields(), "Accessibility links\n" + nbsp + "Breaking News\n" + nbsp + ARTICLE
    )
    record.write_text(original, encoding="utf-8")
    run_cli(tmp_path, "--fix")
    assert record.read_text(encoding="utf-8") == front_of(original) + ARTICLE


def test_fix_keeps_the_paragraph_break_inside_a_blockquote(tmp_path: Path) -> None:
    """A bare '>' between two quoted lines is Markdown's paragraph break inside a quotation: the
    article's text, not chrome, so it is neither reported nor removed."""
    quote = (
        "> We will not raise taxes this year, whatever the council decides.\n"
        ">\n"
        "> The budget will be balanced by cutting the spending on consultants.\n"
    )
    record = tmp_path / "a.md"
    original = markdown(fields(), ARTICLE + "\n" + quote + "\n" + LATER)
    record.write_text(original, encoding="utf-8")
    code, out, _ = run_cli(tmp_path, "--diff")
    assert (code, out) == (0, "")


# --- exit codes and options -------------------------------------------------------------------


def test_diff_does_not_hide_a_rule_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--diff exits 2 when a rule crashed, as a plain check does: a CI gate on --diff must not pass
    a file that a fixable rule never looked at."""
    from rules.boilerplate import Phrase

    def crash(self, record, context):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(Phrase, "check", crash)
    record = tmp_path / "a.md"
    record.write_text(markdown(fields(), CHROME_BODY), encoding="utf-8")
    plain, _, _ = run_cli(tmp_path, "-j", "1")
    assert plain == 2
    code, _, _ = run_cli(tmp_path, "-j", "1", "--diff")
    assert code == 2


def test_diff_with_fix_or_output_is_not_silently_half_done(tmp_path: Path) -> None:
    """--diff writes nothing, so --diff with --fix or -o is refused as a usage error (exit 2)
    rather than silently doing half of what was asked."""
    record = tmp_path / "a.md"
    original = markdown(fields(), CHROME_BODY)
    record.write_text(original, encoding="utf-8")
    code, _, _ = run_cli(tmp_path, "--diff", "--fix")
    assert code == 2 or record.read_text(encoding="utf-8") != original
    record.write_text(original, encoding="utf-8")
    code, _, _ = run_cli(tmp_path, "--diff", "-o", "report.json", "--format", "json")
    assert code == 2 or (tmp_path / "report.json").exists()


def test_plan_fixes_refuses_a_file_whose_checked_bytes_are_unknown(tmp_path: Path) -> None:
    """Without the digest of the bytes that were checked (a run with file_digests=False),
    plan_fixes fails closed: an edit made after the check is never cut at stale line
    numbers."""
    record = tmp_path / "a.md"
    run = check_files(
        tmp_path,
        {"a.md": markdown(fields(), "Advertisement\n\n" + ARTICLE)},
        select=["boilerplate"],
        file_digests=False,
    )
    edited = markdown(fields(), "The mayor opened the new bridge on Sunday.\n\n" + ARTICLE)
    record.write_text(edited, encoding="utf-8")
    outcome = fix_module.plan_fixes(run.result, run.registry)
    assert outcome.plans == []
    assert outcome.skipped


# --- kept as they are ----------------------------------------------------------------------


def test_json_and_jsonl_records_are_byte_identical_after_fix(tmp_path: Path) -> None:
    """JSON and JSON lines records with chrome in their body are never written."""
    data = json.dumps({**fields(), "body": CHROME_BODY})
    (tmp_path / "a.json").write_text(data, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(data + "\n" + data + "\n", encoding="utf-8")
    run_cli(tmp_path, "--fix")
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == data
    assert (tmp_path / "b.jsonl").read_text(encoding="utf-8") == data + "\n" + data + "\n"


def test_mixed_endings_and_no_final_newline_are_kept(tmp_path: Path) -> None:
    """CRLF and LF lines in one file, last line without a newline: only the
    flagged lines (and their separating blank) go, every other byte stays."""
    body = "Accessibility links\r\n\r\n" + ARTICLE.replace("\n", "\r\n") + "\nAdvertisement\n\n"
    body += LATER.rstrip("\n")
    record = tmp_path / "a.md"
    original = markdown(fields(), body)
    record.write_bytes(original.encode())
    run_cli(tmp_path, "--fix")
    expected = front_of(original) + ARTICLE.replace("\n", "\r\n") + "\n" + LATER.rstrip("\n")
    assert record.read_bytes() == expected.encode()


def test_invalid_utf8_is_not_fixed(tmp_path: Path) -> None:
    """With the input rules selected, a record with an invalid UTF-8 byte is
    left alone and the run says so."""
    record = tmp_path / "a.md"
    data = markdown(fields(), CHROME_BODY).encode().replace(b"Monday", b"Mon\xe9day")
    record.write_bytes(data)
    _, _, err = run_cli(tmp_path, "--fix")
    assert record.read_bytes() == data
    assert "not valid UTF-8" in err

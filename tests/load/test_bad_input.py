"""Every class of bad input gives a clear finding, no crash, and the file stays in the report."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from tests.helpers import VALID_BODY, check_files, fields, findings_of, markdown, rules_fired
from validator.app import CheckOptions, CheckRun, check


def only_file(run: CheckRun, name: str):
    matching = [f for f in run.result.files if f.path.endswith("/" + name) or f.path == name]
    assert len(matching) == 1, run.result.files
    return matching[0]


def assert_clean_run(run: CheckRun) -> None:
    assert not run.result.crashed
    assert run.exit_code in (0, 1)


def run_with_timeout(options: CheckOptions, seconds: float = 20) -> CheckRun:
    """check() in a daemon thread: a hang fails the test instead of stalling the suite."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["run"] = check(options)
        except BaseException as error:  # surfaced below
            box["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "newslint hung"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["run"]  # type: ignore[return-value]


# --- bytes and encodings ------------------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def test_png_bytes_are_binary(tmp_path: Path) -> None:
    run = check_files(tmp_path, {"photo.md": PNG})
    assert_clean_run(run)
    [finding] = run.result.findings
    assert finding.rule == "input/binary"
    assert "binary" in finding.message and "NUL" in finding.message
    assert only_file(run, "photo.md").status == "unreadable"


def test_nul_byte_line_is_reported(tmp_path: Path) -> None:
    run = check_files(tmp_path, {"a.md": b"line one\nline two\nthree\x00\n"})
    [finding] = run.result.findings
    assert finding.rule == "input/binary"
    assert finding.line == 3


def test_latin1_bytes_name_line_and_column(tmp_path: Path) -> None:
    text = markdown(fields(title="Café opens"))
    run = check_files(tmp_path, {"a.md": text.encode("latin-1")}, select=["input"])
    assert_clean_run(run)
    [finding] = run.result.findings
    assert finding.rule == "input/encoding"
    line_number = next(n for n, line in enumerate(text.split("\n"), 1) if line.startswith("title:"))
    column = text.split("\n")[line_number - 1].index("é") + 1
    assert (finding.line, finding.column) == (line_number, column)
    assert f"line {line_number}, column {column}" in finding.message
    assert "0xe9" in finding.message
    assert only_file(run, "a.md").status == "findings"


def test_latin1_file_is_still_checked(tmp_path: Path) -> None:
    text = markdown(fields(title="Café opens"), body="\n")
    run = check_files(tmp_path, {"a.md": text.encode("latin-1")})
    assert {"input/encoding", "body/missing"} <= rules_fired(run)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(tmp_path: Path, codec: str) -> None:
    data = markdown().encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    run = check_files(tmp_path, {"a.md": data})
    assert_clean_run(run)
    [finding] = run.result.findings
    assert finding.rule == "input/encoding"
    assert "byte-order mark" in finding.message
    assert finding.line == 1


def test_utf16_record_content_is_checked(tmp_path: Path) -> None:
    run = check_files(
        tmp_path, {"a.md": markdown(body="\n").encode("utf-16")}, select=["input", "body"]
    )
    assert rules_fired(run) == {"input/encoding", "body/missing"}


# --- broken YAML --------------------------------------------------------------------------


def test_broken_yaml(tmp_path: Path) -> None:
    run = check_files(
        tmp_path, {"a.md": '---\ntitle: "unclosed\nexcerpt: x: y\n---\n' + VALID_BODY}
    )
    assert_clean_run(run)
    assert "input/yaml-syntax" in rules_fired(run)
    assert only_file(run, "a.md").status == "findings"


@pytest.mark.parametrize(
    "front",
    ["quality: !!int abc", "published: !!bool maybe", "heat: !!float abc"],
)
def test_badly_tagged_scalar_is_a_finding_not_a_crash(tmp_path: Path, front: str) -> None:
    run = check_files(tmp_path, {"a.md": f"---\n{front}\n---\n{VALID_BODY}"})
    assert_clean_run(run)
    assert rules_fired(run) & {"input/yaml-syntax", "input/yaml-tag"}


@pytest.mark.parametrize(
    "name,content",
    [
        ("a.md", "---\nquality: 1" + "0" * 5000 + "\n---\n" + VALID_BODY),
        ("a.json", '{"quality": 1' + "0" * 5000 + "}"),
        ("a.jsonl", '{"quality": 1' + "0" * 5000 + "}\n"),
    ],
    ids=["yaml", "json", "jsonl"],
)
def test_huge_integer_literal_is_a_finding_not_a_crash(
    tmp_path: Path, name: str, content: str
) -> None:
    run = check_files(tmp_path, {name: content})
    assert_clean_run(run)
    only_file(run, name)
    assert any(f.rule.startswith("input/") for f in run.result.findings)


# --- size limits --------------------------------------------------------------------------


def test_file_over_max_file_bytes(tmp_path: Path) -> None:
    run = check_files(
        tmp_path,
        {"big.md": markdown(), "small.md": "---\ntitle: T\n---\nBody\n"},
        config="[limits]\nmax-file-bytes = 1000\n",
        select=["input"],
    )
    assert_clean_run(run)
    [finding] = run.result.findings
    assert finding.rule == "input/too-large"
    assert finding.path.endswith("big.md")
    assert "1,000" in finding.message and "max-file-bytes" in finding.message
    assert only_file(run, "big.md").status == "unreadable"
    assert only_file(run, "small.md").status == "clean"


def test_front_matter_over_max_front_matter_bytes(tmp_path: Path) -> None:
    text = markdown()
    run = check_files(tmp_path, {"a.md": text}, config="[limits]\nmax-front-matter-bytes = 200\n")
    assert_clean_run(run)
    [finding] = findings_of(run, "input/too-large")
    assert finding.line == 2
    closing = text.split("\n").index("---", 1) + 1
    assert finding.end_line == closing - 1
    assert "max-front-matter-bytes" in finding.message
    assert not findings_of(run, "schema/violation")  # front matter was not parsed
    assert only_file(run, "a.md")


# --- YAML bombs ---------------------------------------------------------------------------


def test_deep_nesting_does_not_crash(tmp_path: Path) -> None:
    run = check_files(tmp_path, {"a.md": "---\na: " + "[" * 100_000 + "\n---\n" + VALID_BODY})
    assert_clean_run(run)
    [finding] = findings_of(run, "input/yaml-limits")
    assert finding.line == 2
    assert "deeper than 64" in finding.message
    assert only_file(run, "a.md")


def test_deep_block_nesting(tmp_path: Path) -> None:
    front = "".join("  " * level + f"k{level}:\n" for level in range(80)) + "  " * 80 + "leaf\n"
    run = check_files(tmp_path, {"a.md": "---\n" + front + "---\n" + VALID_BODY})
    assert "input/yaml-limits" in rules_fired(run)


def test_deep_json_does_not_crash(tmp_path: Path) -> None:
    run = check_files(
        tmp_path, {"a.json": "[" * 100_000 + "]" * 100_000, "b.jsonl": "[" * 100_000 + "\n"}
    )
    assert_clean_run(run)
    assert {f.rule for f in run.result.findings} <= {"input/yaml-limits", "input/json-syntax"}
    assert len(findings_of(run, "input/yaml-limits")) >= 1
    only_file(run, "a.json")
    only_file(run, "b.jsonl")


def test_json_deeper_than_max_depth_is_reported(tmp_path: Path) -> None:
    data = fields(body=VALID_BODY)
    text = json.dumps(data)[:-1] + ', "deep": ' + "[" * 100 + "]" * 100 + "}"
    run = check_files(tmp_path, {"a.json": text})
    assert "input/yaml-limits" in rules_fired(run)


def billion_laughs() -> str:
    text = '---\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghij":
        text += f"{name}: &{name} [" + ",".join(["*" + previous] * 9) + "]\n"
        previous = name
    return text + "---\n" + VALID_BODY


def test_billion_laughs_refused(tmp_path: Path) -> None:
    # 9**10 strings if expanded: the test finishing at all shows it was refused early.
    run = check_files(tmp_path, {"a.md": billion_laughs()})
    assert_clean_run(run)
    [finding] = findings_of(run, "input/yaml-limits")
    assert "more than 100000 values" in finding.message
    assert 3 <= finding.line <= 11
    assert only_file(run, "a.md").status == "findings"


def test_many_aliases_refused(tmp_path: Path) -> None:
    front = "x: &x 1\n" + "".join(f"k{i}: *x\n" for i in range(500))
    run = check_files(tmp_path, {"a.md": f"---\n{front}---\n{VALID_BODY}"})
    [finding] = findings_of(run, "input/yaml-limits")
    assert "more than 100 YAML aliases" in finding.message
    assert finding.line == 3 + 100  # the 101st alias: line 2 holds the anchor


def test_alias_limit_is_configurable(tmp_path: Path) -> None:
    front = "x: &x 1\n" + "".join(f"k{i}: *x\n" for i in range(5))
    run = check_files(
        tmp_path, {"a.md": f"---\n{front}---\n{VALID_BODY}"}, config="[limits]\nmax-aliases = 4\n"
    )
    assert "input/yaml-limits" in rules_fired(run)


# --- unsafe tags --------------------------------------------------------------------------


def test_python_tag_is_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'---\ntitle: !!python/object/apply:os.system ["touch {marker}"]\nexcerpt: !!python/object/apply:os.system ["echo hi"]\n---\n{VALID_BODY}'
    run = check_files(tmp_path, {"a.md": text}, select=["input"])
    assert not marker.exists()
    tags = findings_of(run, "input/yaml-tag")
    assert [f.line for f in tags] == [2, 3]
    assert "python/object/apply" in tags[0].message
    assert_clean_run(run)


def test_python_name_tag_is_not_resolved(tmp_path: Path) -> None:
    run = check_files(
        tmp_path,
        {"a.md": f"---\ntitle: !!python/name:os.system ''\n---\n{VALID_BODY}"},
        select=["input"],
    )
    assert rules_fired(run) == {"input/yaml-tag"}


# --- paths --------------------------------------------------------------------------------


def test_missing_path_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "newslint.toml").write_text("")
    missing = tmp_path / "nope.md"
    run = check(CheckOptions(paths=[missing]))
    [finding] = run.result.findings
    assert finding.rule == "input/unreadable"
    assert "no such file" in finding.message
    assert only_file(run, "nope.md").status == "unreadable"
    assert run.exit_code == 1


def test_fifo_in_folder_is_reported_not_read(tmp_path: Path) -> None:
    (tmp_path / "newslint.toml").write_text("")
    folder = tmp_path / "news"
    folder.mkdir()
    os.mkfifo(folder / "pipe.md")
    (folder / "ok.md").write_text(markdown(), encoding="utf-8")
    run = run_with_timeout(CheckOptions(paths=[folder]))
    assert only_file(run, "ok.md").status == "clean"
    assert only_file(run, "pipe.md").status == "unreadable"
    [finding] = run.result.findings
    assert finding.rule == "input/unreadable"
    assert "FIFO" in finding.message


def test_fifo_named_explicitly_is_reported_not_read(tmp_path: Path) -> None:
    (tmp_path / "newslint.toml").write_text("")
    os.mkfifo(tmp_path / "pipe.md")
    run = run_with_timeout(CheckOptions(paths=[tmp_path / "pipe.md"]))
    assert [f.rule for f in run.result.findings] == ["input/unreadable"]


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "newslint.toml").write_text("")
    folder = tmp_path / "loop"
    folder.mkdir()
    (folder / "a.md").write_text(markdown(), encoding="utf-8")
    os.symlink(folder, folder / "again")  # loop/again/again/... forever if followed
    os.symlink(folder / "again", folder / "deeper")
    run = run_with_timeout(CheckOptions(paths=[folder]))
    assert only_file(run, "a.md").status == "clean"
    assert len([f for f in run.result.files if f.path.endswith("a.md")]) == 1


def test_symlink_loop_named_directly_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "newslint.toml").write_text("")
    folder = tmp_path / "loop"
    folder.mkdir()
    (folder / "a.md").write_text(markdown(), encoding="utf-8")
    os.symlink(folder, folder / "again")
    run = run_with_timeout(CheckOptions(paths=[folder / "again" / "again"]))
    assert [f.status for f in run.result.files] == ["clean"]


def test_symlinks_pointing_at_each_other_do_not_crash(tmp_path: Path) -> None:
    (tmp_path / "newslint.toml").write_text("")
    folder = tmp_path / "loop"
    folder.mkdir()
    (folder / "a.md").write_text(markdown(), encoding="utf-8")
    os.symlink(folder / "b.md", folder / "c.md")
    os.symlink(folder / "c.md", folder / "b.md")
    run = run_with_timeout(CheckOptions(paths=[folder]))
    assert only_file(run, "a.md").status == "clean"
    assert only_file(run, "b.md").status == "unreadable"


def test_dangling_symlink_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "newslint.toml").write_text("")
    folder = tmp_path / "news"
    folder.mkdir()
    os.symlink(tmp_path / "gone.md", folder / "dangling.md")
    run = run_with_timeout(CheckOptions(paths=[folder]))
    assert [f.rule for f in run.result.findings] == ["input/unreadable"]
    assert only_file(run, "dangling.md").status == "unreadable"


def test_bad_files_do_not_stop_good_ones(tmp_path: Path) -> None:
    run = check_files(
        tmp_path,
        {
            "bin.md": PNG,
            "latin.md": markdown().encode("utf-8") + b"\xe9\n",
            "laughs.md": billion_laughs(),
            "good.md": markdown(),
            "bad.jsonl": "{oops\n",
        },
    )
    assert_clean_run(run)
    assert len(run.result.files) == 5
    assert only_file(run, "good.md").status == "clean"
    assert {f.rule for f in run.result.findings} >= {
        "input/binary",
        "input/encoding",
        "input/yaml-limits",
        "input/json-syntax",
    }

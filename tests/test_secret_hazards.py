"""Hazards around the secured key and blobs: odd key files, hex keys, unbounded inputs."""

from __future__ import annotations

import base64
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from rules.secured import parse_blob
from tests.helpers import fields, markdown
from tests.test_secrets import KEY, OTHER_KEY, blob
from validator.cli import cli


def _check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    """Run `newslint check --no-cache` in ``tmp_path``; the exit code and all it printed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSLINT_SECURED_KEY", raising=False)
    (tmp_path / "newslint.toml").touch()
    result = CliRunner().invoke(cli, ["check", "--no-cache", *args])
    return result.exit_code, result.output


def test_a_key_file_that_is_not_utf8_is_refused_without_quoting_its_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A raw binary key file must be refused, and the message must not quote any of its
    bytes: the decoder's own error names the offending byte and its position in the key."""
    (tmp_path / "raw.key").write_bytes(b"\xfe" + KEY)
    (tmp_path / "a.md").write_text(markdown(fields(secured=blob(KEY))))
    code, output = _check(tmp_path, monkeypatch, "--secured-key-file", "raw.key", "a.md")
    assert code == 2
    assert "raw.key" in output
    assert "0xfe" not in output and "position" not in output and "codec" not in output


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"  \n\n"])
def test_a_key_file_with_a_bom_or_line_ending_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: bytes
) -> None:
    """Editors on Windows write a UTF-8 BOM and CRLF; the key inside is still the key, so a
    blob encrypted with it must pass (rather than the run stopping on 'not base64')."""
    (tmp_path / "news.key").write_bytes(b"\xef\xbb\xbf" + base64.b64encode(KEY) + ending)
    (tmp_path / "a.md").write_text(markdown(fields(secured=blob(KEY))))
    (tmp_path / "b.md").write_text(markdown(fields(secured=blob(OTHER_KEY))))
    code, output = _check(tmp_path, monkeypatch, "--secured-key-file", "news.key", ".")
    assert code == 1, output
    assert "b.md" in output and "a.md" not in output


@pytest.mark.parametrize("size", [16, 24, 32])
def test_a_hex_key_is_refused_rather_than_read_as_another_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """Hex digits are base64 letters: the 32-digit hex form of a 16-byte key decodes as
    base64 to a different 24-byte key, which reported every blob as undecryptable. A key
    in hex must stop the run with a hint, and the message must not quote the key."""
    key = bytes(range(size))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newslint.toml").touch()
    (tmp_path / "a.md").write_text(markdown(fields(secured=blob(key))))
    monkeypatch.setenv("NEWSLINT_SECURED_KEY", key.hex())
    result = CliRunner().invoke(cli, ["check", "--no-cache", "a.md"])
    assert result.exit_code == 2, result.output
    assert "hex" in result.output
    assert key.hex() not in result.output


def test_a_huge_key_file_is_refused_after_a_bounded_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A configuration may name any file as the key file (a huge file, /dev/zero); newslint
    must read only a key's worth of it, not the whole file into memory."""
    (tmp_path / "big.key").write_bytes(base64.b64encode(KEY) * 50_000)
    (tmp_path / "a.md").write_text(markdown(fields(secured=blob(KEY))))
    code, output = _check(tmp_path, monkeypatch, "--secured-key-file", "big.key", "a.md")
    assert code == 2
    assert "larger than" in output
    assert base64.b64encode(KEY).decode() not in output


def test_parsed_blobs_are_not_kept_for_many_records() -> None:
    """The secured/ rules share one parse of a record's blob; the memo must not keep
    hundreds of records' blobs (up to the 5 MB file limit each) alive for the whole run."""
    parse_blob.cache_clear()
    tracemalloc.start()
    try:
        for n in range(64):
            part = base64.b64encode(bytes([n]) * 384 * 1024).decode()
            parse_blob(f"{part};{part}")
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        parse_blob.cache_clear()
    assert held < 32 * 1024 * 1024

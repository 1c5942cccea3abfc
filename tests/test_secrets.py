"""With a key configured, neither the key nor any decrypted text reaches any output:
every report format, stderr, the cache file, or a rule-crash message."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.helpers import fields, markdown
from validator.cli import cli

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
IV = bytes(range(16))
PLAINTEXT = "TOP-SECRET-PLAINTEXT the embargoed article text"


def blob(key: bytes, plaintext: str = PLAINTEXT) -> str:
    padder = padding.PKCS7(128).padder()
    data = padder.update(plaintext.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(IV)).encryptor()
    cipher = encryptor.update(data) + encryptor.finalize()
    return f"{base64.b64encode(cipher).decode()};{base64.b64encode(IV).decode()}"


def secrets() -> list[bytes]:
    key_b64 = base64.b64encode(KEY).decode()
    return [
        key_b64.encode(),
        KEY.hex().encode(),
        KEY,
        PLAINTEXT.encode(),
        PLAINTEXT[:20].encode(),
    ]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_no_output_format_cache_or_stderr_holds_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    (tmp_path / "newslint.toml").write_text('secured-key-file = "news.key"\n')
    (tmp_path / "news.key").write_text(base64.b64encode(KEY).decode() + "\n")
    (tmp_path / "good.md").write_text(markdown(fields(secured=blob(KEY))))
    (tmp_path / "wrong-key.md").write_text(markdown(fields(secured=blob(OTHER_KEY))))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--format", fmt, "-o", "report.out", "."])
    assert result.exit_code == 1, result.output
    produced = [
        (tmp_path / "report.out").read_bytes(),
        result.stdout_bytes,
        result.stderr_bytes,
        *(p.read_bytes() for p in (tmp_path / ".newslint_cache").iterdir() if p.is_file()),
    ]
    assert b"secured/undecryptable" in produced[0] or b"SE004" in produced[0]
    for output in produced:
        for secret in secrets():
            assert secret not in output


def test_a_crashing_rule_message_does_not_carry_the_plaintext(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even a rule that raises with record text in its exception is cut to 200 characters
    and names the rule; the secured rules themselves never raise with plaintext."""
    import rules.secured as secured

    def exploding(blob, key):  # type: ignore[no-untyped-def]
        raise ValueError("boom")

    monkeypatch.setattr(secured, "decrypt_problem", exploding)
    monkeypatch.setenv("NEWSLINT_SECURED_KEY", base64.b64encode(KEY).decode())
    (tmp_path / "newslint.toml").write_text("")
    (tmp_path / "a.md").write_text(markdown(fields(secured=blob(KEY))))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--format", "json", "."])
    assert result.exit_code == 2
    assert "rule secured/undecryptable crashed" in result.stdout
    for secret in secrets():
        assert secret not in result.stdout_bytes


def test_key_is_not_in_the_environment_of_error_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "NEWSLINT_SECURED_KEY", "not base64 at all!!" + base64.b64encode(KEY).decode()
    )
    result = CliRunner().invoke(cli, ["check", "--no-cache", os.devnull])
    assert result.exit_code == 2
    assert "NEWSLINT_SECURED_KEY" in result.stderr
    assert base64.b64encode(KEY).decode() not in result.output

"""secured/: the '<base64 ciphertext>;<base64 IV>' blob, checked with real AES-CBC/PKCS7 data.

The key and the plaintext must never reach a message or any report format.
"""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.helpers import check_files, fields, findings_of, markdown, rules_fired
from validator.config import ConfigError

KEY = bytes(range(32))
OTHER_KEY = bytes(range(100, 132))
IV = bytes(range(200, 216))
KEY_ENV = "NEWSLINT_SECURED_KEY"
PLAINTEXT = "TOP-SECRET-PLAINTEXT: the source's home address is 12 Quiet Lane"
SECURED = ["secured"]
ALL_SECURED = [
    "secured/malformed",
    "secured/bad-iv",
    "secured/bad-ciphertext",
    "secured/undecryptable",
]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def ciphertext(plaintext: bytes, key: bytes = KEY, iv: bytes = IV) -> bytes:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def blob(plaintext: str | bytes = PLAINTEXT, key: bytes = KEY, iv: bytes = IV) -> str:
    data = plaintext.encode("utf-8") if isinstance(plaintext, str) else plaintext
    return f"{b64(ciphertext(data, key, iv))};{b64(iv)}"


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


@pytest.fixture(autouse=True)
def no_ambient_key(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)


def run_blob(tmp_path, value, select=SECURED):
    text = markdown(fields(secured=value))
    return text, check_files(tmp_path, {"a.md": text}, select=select)


def assert_secret_free(run, *secrets: str) -> None:
    texts = [f.message for f in run.result.findings]
    texts += [run.render("json"), run.render("sarif"), run.render("text")]
    for secret in secrets:
        for text in texts:
            assert secret not in text


# --- decrypting with a key ---------------------------------------------------------------


def test_sanity_the_blob_really_decrypts():
    data, iv = blob().split(";")
    decryptor = Cipher(algorithms.AES(KEY), modes.CBC(base64.b64decode(iv))).decryptor()
    padded = decryptor.update(base64.b64decode(data)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    assert (unpadder.update(padded) + unpadder.finalize()).decode() == PLAINTEXT


@pytest.mark.parametrize("key", [KEY, KEY[:16], KEY[:24]], ids=["aes256", "aes128", "aes192"])
def test_right_key_decrypts_cleanly(tmp_path, monkeypatch, key):
    monkeypatch.setenv(KEY_ENV, b64(key))
    _, run = run_blob(tmp_path, blob(key=key))
    assert run.result.findings == []


def test_without_a_key_decryption_is_not_attempted(tmp_path):
    _, run = run_blob(tmp_path, blob(key=OTHER_KEY))
    assert run.result.findings == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (blob(key=OTHER_KEY), "does not decrypt with the configured key: bad PKCS7 padding"),
        (blob(PLAINTEXT, key=KEY[::-1]), "does not decrypt with the configured key"),
        (blob(b"\xff\xfe\xfd caf\xe9 latin-1 bytes"), "decrypts to bytes that are not UTF-8 text"),
        (blob(PLAINTEXT.encode("utf-16")), "decrypts to bytes that are not UTF-8 text"),
    ],
    ids=["wrong-key", "reversed-key", "latin-1-plaintext", "utf-16-plaintext"],
)
def test_undecryptable_fires(tmp_path, monkeypatch, value, message):
    monkeypatch.setenv(KEY_ENV, b64(KEY))
    text, run = run_blob(tmp_path, value)
    assert rules_fired(run) == {"secured/undecryptable"}
    (finding,) = findings_of(run, "secured/undecryptable")
    assert finding.pointer == "/secured"
    assert finding.line == line_of(text, "secured:")
    assert finding.code == "SE004"
    assert message in finding.message
    assert_secret_free(run, b64(KEY), PLAINTEXT, KEY.hex())


def test_key_and_plaintext_never_reported(tmp_path, monkeypatch):
    """Good, undecryptable and non-UTF-8 blobs together, in every report format."""
    key_text = b64(KEY)
    monkeypatch.setenv(KEY_ENV, key_text)
    files = {
        "good.md": markdown(fields(secured=blob())),
        "wrong.md": markdown(fields(secured=blob(key=OTHER_KEY))),
        "bytes.md": markdown(fields(secured=blob(b"\x80\x81" + PLAINTEXT.encode()))),
        "short.md": markdown(
            fields(secured=f"{b64(ciphertext(PLAINTEXT.encode())[:40])};{b64(IV)}")
        ),
    }
    run = check_files(tmp_path, files, select=SECURED)
    assert sorted((f.path.rsplit("/", 1)[-1], f.rule) for f in run.result.findings) == [
        ("bytes.md", "secured/undecryptable"),
        ("short.md", "secured/bad-ciphertext"),
        ("wrong.md", "secured/undecryptable"),
    ]
    for output in ("json", "sarif", "text"):
        rendered = run.render(output)
        assert "secured/undecryptable" in rendered and "bad PKCS7 padding" in rendered
    assert_secret_free(run, key_text, PLAINTEXT, "Quiet Lane", KEY.hex())


@pytest.mark.parametrize(
    ("key_text", "message"),
    [
        (b64(bytes(20)), "decodes to 20 bytes; AES needs 16, 24 or 32"),
        (b64(KEY).rstrip("="), "not canonical base64"),
        ("not base64 at all!", "not canonical base64"),
    ],
)
def test_unusable_key_is_a_config_error_without_the_key(tmp_path, monkeypatch, key_text, message):
    monkeypatch.setenv(KEY_ENV, key_text)
    with pytest.raises(ConfigError) as caught:
        run_blob(tmp_path, blob())
    assert message in str(caught.value)
    assert KEY_ENV in str(caught.value)
    assert key_text not in str(caught.value)


# --- secured/bad-ciphertext --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            f"{b64(ciphertext(PLAINTEXT.encode())[:-1])};{b64(IV)}",
            "is 79 bytes, not a whole number of 16-byte AES blocks",
        ),
        (f"{b64(bytes(6))};{b64(IV)}", "is 6 bytes, not a whole number"),
        (f";{b64(IV)}", "secured ciphertext is empty"),
    ],
    ids=["truncated", "six-bytes", "empty"],
)
def test_bad_ciphertext_fires(tmp_path, monkeypatch, value, message):
    monkeypatch.setenv(KEY_ENV, b64(KEY))
    text, run = run_blob(tmp_path, value)
    assert rules_fired(run) == {"secured/bad-ciphertext"}  # not undecryptable as well
    (finding,) = findings_of(run, "secured/bad-ciphertext")
    assert finding.pointer == "/secured"
    assert finding.line == line_of(text, "secured:")
    assert message in finding.message
    assert_secret_free(run, b64(KEY), PLAINTEXT)


def test_bad_ciphertext_passes_whole_blocks(tmp_path):
    assert len(ciphertext(PLAINTEXT.encode())) == 80
    _, run = run_blob(tmp_path, blob(), select=["secured/bad-ciphertext"])
    assert run.result.findings == []


# --- secured/bad-iv ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iv", "size"),
    [(IV[:8], 8), (IV + IV[:1], 17), (b"", 0)],
    ids=["8-bytes", "17-bytes", "empty"],
)
def test_bad_iv_fires(tmp_path, monkeypatch, iv, size):
    monkeypatch.setenv(KEY_ENV, b64(KEY))
    value = f"{b64(ciphertext(PLAINTEXT.encode()))};{b64(iv)}"
    text, run = run_blob(tmp_path, value)
    assert rules_fired(run) == {"secured/bad-iv"}  # decryption is not attempted
    (finding,) = findings_of(run, "secured/bad-iv")
    assert finding.pointer == "/secured"
    assert finding.line == line_of(text, "secured:")
    assert f"secured IV is {size} bytes; AES-CBC needs 16" in finding.message


def test_bad_iv_passes_16_bytes(tmp_path):
    _, run = run_blob(tmp_path, blob(), select=["secured/bad-iv"])
    assert run.result.findings == []


# --- secured/malformed -------------------------------------------------------------------

GOOD_CT = b64(ciphertext(PLAINTEXT.encode()))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (GOOD_CT, "has 0 ';' separators"),
        (f"{GOOD_CT};{b64(IV)};{b64(IV)}", "has 2 ';' separators"),
        ("bm90IGEgYmxvYg", "has 0 ';' separators"),
        ("", "has 0 ';' separators"),
        (f"{GOOD_CT[:10]}!{GOOD_CT[11:]};{b64(IV)}", "ciphertext part is not canonical base64"),
        (f"{GOOD_CT};{b64(IV).rstrip('=')}", "IV part is not canonical base64"),  # padding dropped
        (f"{GOOD_CT};KedbQq+O6KDZdvwZNEh7zB==", "IV part is not canonical base64"),  # stray bits
        (
            f"{GOOD_CT};{b64(IV).replace('+', '-').replace('/', '_')}",
            "IV part is not canonical base64",
        ),
        (f"{GOOD_CT[:20]}\n{GOOD_CT[20:]};{b64(IV)}", "ciphertext part is not canonical base64"),
        (f" {GOOD_CT};{b64(IV)}", "ciphertext part is not canonical base64"),
    ],
    ids=[
        "no-separator",
        "two-separators",
        "card-example",
        "empty",
        "junk-char",
        "unpadded-iv",
        "stray-bits",
        "urlsafe-alphabet",
        "newline",
        "leading-space",
    ],
)
def test_malformed_fires(tmp_path, monkeypatch, value, message):
    monkeypatch.setenv(KEY_ENV, b64(KEY))
    text, run = run_blob(tmp_path, value)
    assert rules_fired(run) == {"secured/malformed"}
    (finding,) = findings_of(run, "secured/malformed")
    assert finding.pointer == "/secured"
    assert finding.line == line_of(text, "secured:")
    assert message in finding.message
    # The message explains the shape; it never quotes the blob.
    assert GOOD_CT[:16] not in finding.message
    assert_secret_free(run, b64(KEY), PLAINTEXT)


@pytest.mark.parametrize(
    "value",
    [blob(), fields()["secured"], f"{b64(bytes(16))};{b64(IV)}"],
    ids=["fresh", "helpers-valid-record", "zero-block"],
)
def test_malformed_passes(tmp_path, value):
    _, run = run_blob(tmp_path, value, select=ALL_SECURED)
    assert run.result.findings == []


def test_secured_rules_ignore_a_non_string_value(tmp_path):
    # The wrong type is schema/violation's finding; the secured rules must not crash on it.
    _, run = run_blob(tmp_path, 12345)
    assert run.result.findings == []
    assert not run.result.crashed

"""secured/: the encrypted blob "<base64 AES ciphertext>;<base64 16-byte IV>".

Without a key the structure is checked; with a key (NEWSLINT_SECURED_KEY or
--secured-key-file) the blob is decrypted with AES-CBC and PKCS7 to prove it is readable.
Neither the key nor any plaintext is ever put into a message.
"""

from __future__ import annotations

import base64
import binascii
import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from validator.findings import Problem, Severity
from validator.records import Record
from validator.rule import CheckContext, Rule

BLOCK_BYTES = 16
POINTER = "/secured"
KEY_SIZES = (16, 24, 32)
# A base64 AES key is at most 44 characters; the bound is far above that and keeps a key
# file named by a configuration (a huge file, /dev/zero) from being read whole.
MAX_KEY_FILE_BYTES = 4096


@dataclass(frozen=True)
class SecuredBlob:
    ciphertext: bytes
    iv: bytes


def decode_canonical_base64(text: str) -> bytes | None:
    """Bytes of ``text`` if it is canonical standard base64 (padded, no stray bits)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if base64.b64encode(raw).decode("ascii") == text else None


# Several secured/ rules parse the same blob, one record after another: a few entries are
# enough, and more would keep many records' blobs (up to the file size limit) alive.
@lru_cache(maxsize=8)
def parse_blob(value: str) -> tuple[SecuredBlob | None, str | None]:
    """The decoded blob, or the reason it is malformed (which never quotes the blob)."""
    parts = value.split(";")
    if len(parts) != 2:
        return (
            None,
            f"has {len(parts) - 1} ';' separators; expected '<base64 ciphertext>;<base64 IV>'",
        )
    names = ("ciphertext", "IV")
    decoded = []
    for name, part in zip(names, parts, strict=True):
        raw = decode_canonical_base64(part)  # "" is b"": bad-ciphertext / bad-iv report it
        if raw is None:
            return None, f"{name} part is not canonical base64"
        decoded.append(raw)
    return SecuredBlob(decoded[0], decoded[1]), None


def _blob(record: Record) -> str | None:
    value = record.get("secured")
    return value if isinstance(value, str) else None


class Malformed(Rule):
    slug = "secured/malformed"
    code = "SE001"
    severity = Severity.ERROR
    summary = "secured blob is not '<base64>;<base64>'"
    what = (
        "Reports a secured value that is not exactly two canonical base64 parts (standard "
        "alphabet, correct padding) separated by one ';'."
    )
    why = "The consuming app splits and decodes the blob; any other shape cannot be decrypted."
    bad = 'secured: "bm90IGEgYmxvYg"   # no IV part, missing padding'
    good = 'secured: "<base64 ciphertext>;KedbQq+O6KDZdvwZNEh7zA=="'

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        value = _blob(record)
        if value is None:
            return
        _, reason = parse_blob(value)
        if reason:
            yield Problem(f"secured blob {reason}", pointer=POINTER)


class BadIv(Rule):
    slug = "secured/bad-iv"
    code = "SE002"
    severity = Severity.ERROR
    summary = "secured IV is not 16 bytes"
    what = "Reports a well-formed secured blob whose IV does not decode to exactly 16 bytes."
    why = "AES-CBC needs a 16-byte IV; with any other length the blob cannot be decrypted."
    bad = 'secured: "<base64 ciphertext>;AAAA"'
    good = 'secured: "<base64 ciphertext>;KedbQq+O6KDZdvwZNEh7zA=="'

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        value = _blob(record)
        blob = parse_blob(value)[0] if value is not None else None
        if blob is not None and len(blob.iv) != BLOCK_BYTES:
            yield Problem(
                f"secured IV is {len(blob.iv)} bytes; AES-CBC needs {BLOCK_BYTES}", pointer=POINTER
            )


class BadCiphertext(Rule):
    slug = "secured/bad-ciphertext"
    code = "SE003"
    severity = Severity.ERROR
    summary = "secured ciphertext is empty or not whole 16-byte blocks"
    what = "Reports a ciphertext that is empty or whose length is not a multiple of 16 bytes."
    why = "AES-CBC with PKCS7 padding always yields whole blocks; anything else is truncated or corrupt."
    bad = 'secured: "AAAAAAAA;KedbQq+O6KDZdvwZNEh7zA=="   # 6 bytes'
    good = "a ciphertext of 16, 32, 48 ... bytes"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        value = _blob(record)
        blob = parse_blob(value)[0] if value is not None else None
        if blob is None:
            return
        if not blob.ciphertext:
            yield Problem("secured ciphertext is empty", pointer=POINTER)
        elif len(blob.ciphertext) % BLOCK_BYTES:
            yield Problem(
                f"secured ciphertext is {len(blob.ciphertext)} bytes, not a whole number of "
                f"{BLOCK_BYTES}-byte AES blocks (truncated?)",
                pointer=POINTER,
            )


def decrypt_problem(blob: SecuredBlob, key: bytes) -> str | None:
    """Why the blob does not decrypt to UTF-8 text with ``key``, or None. The plaintext is
    dropped here and never leaves this function."""
    # cryptography is imported only with a key and a blob to decrypt (it costs ~20 ms).
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    decryptor = Cipher(algorithms.AES(key), modes.CBC(blob.iv)).decryptor()
    padded = decryptor.update(blob.ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(BLOCK_BYTES * 8).unpadder()
    try:
        plaintext = unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        return "does not decrypt with the configured key: bad PKCS7 padding (wrong key or corrupt data)"
    try:
        plaintext.decode("utf-8")
    except UnicodeDecodeError:
        return "decrypts to bytes that are not UTF-8 text (wrong key or corrupt data)"
    return None


class Undecryptable(Rule):
    slug = "secured/undecryptable"
    code = "SE004"
    severity = Severity.ERROR
    summary = "secured blob does not decrypt with the configured key"
    what = (
        "With a key configured (NEWSLINT_SECURED_KEY: base64 of a 16, 24 or 32-byte AES key, or "
        "--secured-key-file), decrypts each well-formed blob with AES-CBC and PKCS7 and reports "
        "bad padding or plaintext that is not UTF-8. Without a key this rule does nothing. "
        "Neither the key nor the plaintext ever appears in any output."
    )
    why = "A blob that does not decrypt is unreadable for the app that needs it."
    bad = "a blob encrypted with another key, or with its last block cut off"
    good = "a blob encrypted with the project's key"

    def check(self, record: Record, context: CheckContext) -> Iterable[Problem]:
        key = context.secured_key
        value = _blob(record)
        if key is None or value is None:
            return
        blob, _ = parse_blob(value)
        if blob is None or len(blob.iv) != BLOCK_BYTES:
            return
        if not blob.ciphertext or len(blob.ciphertext) % BLOCK_BYTES:
            return
        reason = decrypt_problem(blob, key)
        if reason:
            yield Problem(f"secured blob {reason}", pointer=POINTER)


class SecuredKeyError(Exception):
    """The configured key is unusable; the message never contains the key."""


def read_key_file(path: Path) -> str:
    """The text of a key file, read only up to MAX_KEY_FILE_BYTES. No message quotes its
    bytes (a decoder's error would name the offending byte of the key)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as error:
        raise SecuredKeyError(f"{path}: cannot read the secured key file: {error}") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise SecuredKeyError(
            f"{path}: the secured key file is larger than {MAX_KEY_FILE_BYTES} bytes; "
            "it should hold only the base64 key"
        )
    try:
        return data.decode("utf-8-sig")  # a BOM (Windows editors) is not part of the key
    except UnicodeDecodeError:
        raise SecuredKeyError(
            f"{path}: the secured key file is not UTF-8 text; it should hold the key in "
            "base64, not raw bytes"
        ) from None


def looks_like_hex_key(text: str) -> bool:
    """Whether ``text`` is a 16, 24 or 32-byte key written in hex. Hex digits are base64
    letters, so the hex of a 16-byte key would otherwise decode to another, 24-byte key."""
    return len(text) in {2 * size for size in KEY_SIZES} and all(
        char in string.hexdigits for char in text
    )


def parse_key(text: str, source: str) -> bytes:
    text = text.strip()
    if looks_like_hex_key(text):
        raise SecuredKeyError(
            f"{source}: the secured key looks like hex ({len(text) // 2} bytes); give it in "
            "base64 (convert it with: xxd -r -p | base64)"
        )
    raw = decode_canonical_base64(text)
    if raw is None:
        raise SecuredKeyError(f"{source}: the secured key is not canonical base64")
    if len(raw) not in KEY_SIZES:
        raise SecuredKeyError(
            f"{source}: the secured key decodes to {len(raw)} bytes; AES needs 16, 24 or 32"
        )
    return raw


RULES = (Malformed, BadIv, BadCiphertext, Undecryptable)

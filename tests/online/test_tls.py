"""HTTPS to a pinned address: the request goes to the vetted IP, with the host's name in the
Host header and in TLS (SNI and certificate verification)."""

from __future__ import annotations

import datetime
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.online.helpers import links, run_online
from tests.online.server import Reply, TestServer
from validator.online import run
from validator.online.guard import ResolveError


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA (ca.pem) and a leaf certificate for news.test signed by it (leaf.pem, leaf.key)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("newslint test CA"))
        .issuer_name(_name("newslint test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("news.test"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("news.test")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, leaf_path, key_path = folder / "ca.pem", folder / "leaf.pem", folder / "leaf.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    leaf_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, leaf_path, key_path


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[TestServer, list[str | None]]]:
    _, leaf, key = _certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(leaf, key)
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment, misc]
    with TestServer(tls=context) as server:
        yield server, names


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """news.test and other.test resolve to 127.0.0.1; every lookup is logged."""
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        if host in ("news.test", "other.test"):
            return ["127.0.0.1"]
        raise ResolveError(f"DNS lookup of {host} failed")

    monkeypatch.setattr(run, "RESOLVER", resolver)
    return asked


def test_https_to_the_pinned_address_keeps_host_and_sni(
    tls_server: tuple[TestServer, list[str | None]], fake_dns: list[str], tmp_path: Path
) -> None:
    server, names = tls_server
    server.routes["/story"] = Reply(200)
    server.routes["/gone"] = Reply(410)
    story = f"https://news.test:{server.port}/story"
    gone = f"https://news.test:{server.port}/gone"
    found = run_online(links(story, gone, story), tmp_path, ca_bundle="ca.pem")
    assert [(f.rule, f.path) for f in found] == [("link/dangling", "a1.md")]
    assert fake_dns == ["news.test"]  # resolved once per run, then pinned
    assert set(names) == {"news.test"}
    assert {hit.headers["host"] for hit in server.hits} == {f"news.test:{server.port}"}


def test_a_certificate_for_another_name_fails_verification(
    tls_server: tuple[TestServer, list[str | None]], fake_dns: list[str], tmp_path: Path
) -> None:
    server, _ = tls_server
    server.routes["/story"] = Reply(200)
    (finding,) = run_online(
        links(f"https://other.test:{server.port}/story"), tmp_path, ca_bundle="ca.pem"
    )
    assert finding.rule == "link/unreachable" and "TLS error" in finding.message
    assert server.count() == 0


def test_without_the_ca_the_certificate_is_refused(
    tls_server: tuple[TestServer, list[str | None]], fake_dns: list[str], tmp_path: Path
) -> None:
    server, _ = tls_server
    (finding,) = run_online(links(f"https://news.test:{server.port}/story"), tmp_path)
    assert finding.rule == "link/unreachable" and "TLS error" in finding.message


def test_ip_literal_certificate_check_is_not_skipped(
    tls_server: tuple[TestServer, list[str | None]], tmp_path: Path
) -> None:
    server, _ = tls_server
    (finding,) = run_online(
        links(f"https://127.0.0.1:{server.port}/story"), tmp_path, ca_bundle="ca.pem"
    )
    assert finding.rule == "link/unreachable" and "TLS error" in finding.message

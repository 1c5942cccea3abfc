"""The SSRF guard's address classification and host policy, and the settings model."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from validator.config import ConfigError
from validator.online.guard import (
    Guard,
    GuardError,
    ResolveError,
    address_refusal,
    host_matches,
    parse_allow_private,
)
from validator.online.settings import parse_online_settings


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "0.0.0.0",
        "0.1.2.3",
        "192.0.2.1",  # documentation
        "198.18.0.1",  # benchmarking
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "2001:db8::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible (deprecated)
        "2002:7f00:1::1",  # 6to4 around 127.0.0.1
        "2002:a00:1::1",  # 6to4 around 10.0.0.1
        "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 around 127.0.0.1
    ],
)
def test_non_global_addresses_are_refused(address: str) -> None:
    assert address_refusal(address) is not None


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "::ffff:8.8.8.8",
        "1.1.1.1",
        "93.184.216.34",
        "2606:4700:4700::1111",
        "2a00:1450::1",
    ],
)
def test_public_addresses_pass(address: str) -> None:
    assert address_refusal(address) is None


def test_refusal_names_the_kind() -> None:
    assert "loopback" in (address_refusal("::ffff:127.0.0.1") or "")
    assert "link-local" in (address_refusal("169.254.169.254") or "")
    assert "private" in (address_refusal("10.0.0.1") or "")


def _guard(table: dict[str, list[str]], **lists: list[str]) -> Guard:
    async def resolver(host: str, port: int) -> list[str]:
        if host not in table:
            raise ResolveError(f"DNS lookup of {host} failed")
        return table[host]

    return Guard.from_lists(
        lists.get("allow_private", []),
        lists.get("allow_hosts", []),
        lists.get("deny_hosts", []),
        resolver,
    )


def _addresses(guard: Guard, host: str) -> list[str]:
    return asyncio.run(guard.addresses(host, 443))


def test_guard_resolves_and_vets_every_address() -> None:
    table = {
        "public.example": ["93.184.216.34", "2606:2800:220:1::1"],
        "rebind.example": ["93.184.216.34", "127.0.0.1"],
        "internal.example": ["10.0.0.5"],
    }
    guard = _guard(table)
    assert _addresses(guard, "public.example") == ["93.184.216.34", "2606:2800:220:1::1"]
    with pytest.raises(GuardError, match=r"rebind.example resolves to .*127.0.0.1.*loopback"):
        _addresses(guard, "rebind.example")  # one bad address refuses the host
    with pytest.raises(GuardError, match="private"):
        _addresses(guard, "internal.example")
    with pytest.raises(GuardError, match="local name"):
        _addresses(guard, "localhost")
    with pytest.raises(GuardError, match="local name"):
        _addresses(guard, "printer.local")
    with pytest.raises(ResolveError):
        _addresses(guard, "nowhere.example")


def test_allow_private_by_address_network_and_name() -> None:
    table = {"internal.example": ["10.0.0.5"], "intranet.corp": ["192.168.7.7"]}
    guard = _guard(table, allow_private=["10.0.0.0/8", "intranet.corp", "127.0.0.1"])
    assert _addresses(guard, "internal.example") == ["10.0.0.5"]
    assert _addresses(guard, "intranet.corp") == ["192.168.7.7"]
    assert _addresses(guard, "127.0.0.1") == ["127.0.0.1"]
    with pytest.raises(GuardError):
        _addresses(guard, "127.0.0.2")


def test_host_lists() -> None:
    guard = _guard({}, deny_hosts=["*.tracker.example", "ads.example"], allow_hosts=[])
    assert guard.policy_refusal("x.tracker.example") is not None
    assert guard.policy_refusal("ads.example") is not None
    assert guard.policy_refusal("news.example") is None
    only = _guard({}, allow_hosts=["*.example-herald.org", "example-herald.org"])
    assert only.policy_refusal("www.example-herald.org") is None
    assert only.policy_refusal("example-herald.org") is None
    assert "allow-hosts" in (only.policy_refusal("other.org") or "")
    assert host_matches("WWW.Example.ORG.", ["www.example.org"]) == "www.example.org"


def test_parse_allow_private() -> None:
    networks, hosts = parse_allow_private(["127.0.0.1", "10.0.0.0/8", "::1", "dev.local"])
    assert [str(n) for n in networks] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert hosts == ["dev.local"]
    for bad in ["300.1.2.3", "10.0.0.0/33", "not a host", "fe80::zz"]:
        with pytest.raises(ValueError):
            parse_allow_private([bad])


def test_settings_defaults(tmp_path: Path) -> None:
    settings = parse_online_settings({}, "newslint.toml", tmp_path, None)
    config = settings.config
    assert (config.timeout, config.per_host, config.max_redirects) == (10.0, 10, 10)
    assert config.image_bytes == 65536 and config.cache_ttl == 86400
    assert settings.use_cache and settings.image_dir is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"timeot": 3}, "online.timeot: Extra inputs are not permitted"),
        ({"timeout": 0}, "online.timeout: Input should be greater than 0"),
        ({"per-host": "many"}, "online.per-host"),
        ({"allow-private": ["300.1.1.1"]}, "online.allow-private: Value error, '300.1.1.1'"),
        ({"accept-status": [1000]}, "online.accept-status"),
        ({"checks": ["links", "videos"]}, "online.checks.1"),
        ({"image-dir": "no/such/folder"}, "online.image-dir"),
    ],
)
def test_settings_errors_name_the_key(tmp_path: Path, raw: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError) as error:
        parse_online_settings(raw, str(tmp_path / "newslint.toml"), tmp_path, None)
    assert message in str(error.value)
    assert str(tmp_path / "newslint.toml") in str(error.value)


def test_settings_errors_in_pyproject_use_its_prefix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"tool\.newslint\.online\.bogus"):
        parse_online_settings({"bogus": 1}, "pyproject.toml", tmp_path, None)


def test_no_cache_flag_and_image_dir_flag(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    settings = parse_online_settings({"image-dir": "a"}, "newslint.toml", tmp_path, None, False)
    assert not settings.use_cache and settings.image_dir == tmp_path / "a"
    flag = parse_online_settings({"image-dir": "a"}, "newslint.toml", tmp_path, tmp_path, True)
    assert flag.image_dir == tmp_path and flag.use_cache

"""link/: URL shape, scheme, private hosts, AMP cache URLs, related items, provider domain."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.link import (
    _domain_ok,
    _is_ip,
    _mixes_directions,
    amp_cache_subdomain,
    expected_amp_cache_url,
    split_url,
    url_host,
)
from tests.helpers import SEEDS, check_files, fields, findings_of, markdown, rules_fired
from validator.app import CheckOptions, check

WEB = "https://www.hrw.org/news/2020/10/02/russia-expands-facial-recognition"
RFERL_AMP = "https://www.rferl.org/amp/hrw-warns/30869831.html"
RFERL_CDN = "https://www-rferl-org.cdn.ampproject.org/c/s/www.rferl.org/amp/hrw-warns/30869831.html"
RFERL = {"name": "Radio Free Europe/Radio Liberty", "domain": "rferl.org"}


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def related(**overrides):
    item = {
        "title": "HRW Warns Of Privacy Concerns",
        "webUrl": "https://www.rferl.org/a/hrw-warns/30869831.html",
    }
    item.update(overrides)
    return {k: v for k, v in item.items() if v is not None}


def run_link(tmp_path, slug, **overrides):
    text = markdown(fields(**overrides))
    run = check_files(tmp_path, {"a.md": text}, select=[slug])
    return text, findings_of(run, slug)


# --- link/malformed ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/news/2020/10/02/story", "URL is relative"),
        ("www.hrw.org/news/story", "URL is relative"),
        ("https://www.hrw.org/news/a story", "contains white space"),
        (" https://www.hrw.org/news/story", "has leading or trailing spaces"),
        ("https://www.hrw.org:99999/news", "cannot be parsed"),
        ("https://[::1/news", "cannot be parsed"),
        ("https:///news/story", "has no host"),
        ("https://intranet/news", "host 'intranet' is not a domain name"),
        ("https://-bad.hrw.org/news", "host '-bad.hrw.org' is not a valid domain name"),
        ("https://" + "a" * 64 + ".org/news", "is not a valid domain name"),
        ("https://www.hrw.org/news\x00story", "contains a control character U+0000 (NUL)"),
        ("https://www.hrw.org/\x0cnews", "contains a control character U+000C (form feed)"),
        ("https://www.hrw.org/\x93news\x94", "contains a C1 control character U+0093"),
    ],
)
def test_malformed_fires(tmp_path, url, message):
    text, found = run_link(tmp_path, "link/malformed", webUrl=url)
    assert len(found) == 1
    assert found[0].pointer == "/webUrl"
    assert found[0].line == line_of(text, "webUrl:")
    assert message in found[0].message


@pytest.mark.parametrize(
    "url",
    [
        WEB,
        "http://www.hrw.org/news/story?id=1#top",
        "https://93.184.216.34/news",
        "https://[2001:db8::1]/news",
        "https://bücher.example/news",
        "https://www.hrw.org./news",
        "https://" + "a" * 63 + ".org/news",
    ],
)
def test_malformed_passes(tmp_path, url):
    _, found = run_link(tmp_path, "link/malformed", webUrl=url)
    assert found == []


def test_malformed_checks_related_urls(tmp_path):
    item = related(ampWebUrl="/amp/story")
    text, found = run_link(tmp_path, "link/malformed", related=[item])
    (finding,) = found
    assert finding.pointer == "/related/0/ampWebUrl"
    assert finding.line == line_of(text, "ampWebUrl:")


# --- link/scheme -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "url", "scheme"),
    [
        ("webUrl", "javascript:alert(1)", "javascript"),
        ("originalUrl", "ftp://ftp.hrw.org/story.txt", "ftp"),
        ("webUrl", "data:text/html,<b>hi</b>", "data"),
        ("webUrl", "mailto:press@hrw.org", "mailto"),
    ],
)
def test_scheme_fires(tmp_path, field, url, scheme):
    text, found = run_link(tmp_path, "link/scheme", **{field: url})
    (finding,) = found
    assert finding.pointer == f"/{field}"
    assert finding.line == line_of(text, f"{field}:")
    assert f"URL scheme {scheme!r} is not http or https" in finding.message


@pytest.mark.parametrize(
    "url", [WEB, WEB.replace("https:", "http:"), WEB.replace("https:", "HTTPS:"), "/relative/path"]
)
def test_scheme_passes(tmp_path, url):
    _, found = run_link(tmp_path, "link/scheme", webUrl=url)
    assert found == []


# --- link/private-host -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.12/story", "host 10.0.0.12 is a private address"),
        ("http://192.168.1.20/story", "is a private address"),
        ("http://127.0.0.1:8000/story", "host 127.0.0.1 is a loopback address"),
        ("http://[::1]/story", "host ::1 is a loopback address"),
        ("http://169.254.10.1/story", "host 169.254.10.1 is a link-local address"),
        ("http://[fe80::1]/story", "host fe80::1 is a link-local address"),
        ("http://224.0.0.251/story", "is a multicast address"),
        ("http://0.0.0.0/story", "is an unspecified address"),
        ("http://240.0.0.1/story", "is a reserved address"),
        ("http://[fc00::12]/story", "host fc00::12 is a private address"),
        ("http://localhost:4000/story", "host 'localhost' is a local name"),
        ("http://staging.localhost/story", "is a local name"),
        ("https://printer.local/story", "is a local name"),
        ("https://cms.corp.internal/story", "is a local name"),
    ],
)
def test_private_host_fires(tmp_path, url, message):
    text, found = run_link(tmp_path, "link/private-host", webUrl=url)
    (finding,) = found
    assert finding.pointer == "/webUrl"
    assert finding.line == line_of(text, "webUrl:")
    assert message in finding.message


@pytest.mark.parametrize(
    "url",
    [
        WEB,
        "https://93.184.216.34/story",
        "https://localnews.example.org/story",
        "https://www.internal-affairs.org/a",
    ],
)
def test_private_host_passes(tmp_path, url):
    _, found = run_link(tmp_path, "link/private-host", webUrl=url)
    assert found == []


# --- AMP cache URL computation -----------------------------------------------------------


def b32_sha256(host: str) -> str:
    return (
        base64.b32encode(hashlib.sha256(host.encode("utf-8")).digest())
        .decode("ascii")
        .rstrip("=")
        .lower()
    )


@pytest.mark.parametrize(
    ("host", "subdomain"),
    [
        ("www.rferl.org", "www-rferl-org"),
        ("www.example-herald.org", "www-example--herald-org"),
        ("WWW.RFERL.ORG", "www-rferl-org"),
        ("www.rferl.org.", "www-rferl-org"),
        ("hello--world.com", "hello----world-com"),
        # '--' at positions 3-4 would read as an IDN prefix: wrapped in 0-…-0.
        ("en-us.example.com", "0-en--us-example-com-0"),
        # IDN: punycode-decoded to 'bücher.example' (which has no '-' to double), '.' -> '-',
        # then punycode-encoded as ONE label: the 'kva' delta of the original label is
        # recomputed for the longer string, so the result is xn--bcher-example-wob.
        ("xn--bcher-kva.example", "xn--bcher-example-wob"),
        ("bücher.example", "xn--bcher-example-wob"),  # the same host, written in Unicode
        # amp-toolbox's own test vectors (packages/cache-url/spec/AmpUrlSpec.js):
        ("xn--bcher-kva.ch", "xn--bcher-ch-65a"),
        ("點看.com", "xn---com-k47jg78q"),
        (
            "xn--4gbrim.xn----rmckbbajlc6dj7bxne2c.xn--wgbh1c",
            "xn-------i5fvcbaopc6fkc0de0d9jybegt6cd",
        ),
        (
            "hello.xn--4gbrim.xn----rmckbbajlc6dj7bxne2c.xn--wgbh1c",
            "a6h5moukddengbsjm77rvbosevwuduec2blkjva4223o4bgafgla",
        ),
        ("toplevelnohyphens", "qsgpfjzulvuaxb66z77vlhb5gu2irvcnyp6t67cz6tqo5ae6fysa"),
        ("no-dot-domain", "4lxc7wqq7b25walg4rdiil62veijrmqui5z3ept2lyfqqwpowryq"),
        (
            "itwasadarkandstormynight.therainfellintorrents.exceptatoccasionalintervalswhenitwascheckedby."
            "aviolentgustofwindwhichsweptupthestreets.com",
            "dgz4cnrxufaulnwku4ow5biptyqnenjievjht56hd7wqinbdbteq",
        ),
    ],
)
def test_amp_cache_subdomain(host, subdomain):
    assert amp_cache_subdomain(host) == subdomain


def test_amp_cache_subdomain_same_for_punycode_and_unicode_spelling():
    # i❤.ws is not valid IDNA 2008, but it is valid punycode both ways: one answer for both.
    assert amp_cache_subdomain("xn--i-7iq.ws") == amp_cache_subdomain("i❤.ws") == "xn--i-ws-lw4b"


@pytest.mark.parametrize(
    "host",
    [
        "news." + "a" * 60 + ".example.org",  # label would be 80 characters
        "a" * 63 + ".org",  # one character over once '.' becomes '-'
        "sub-domain." + "b" * 55 + ".com",  # doubling '-' pushes it over 63
        "hello.xn--4gbrim.xn--wgbh1c",  # mixes left-to-right and right-to-left
    ],
)
def test_amp_cache_subdomain_hash_fallback(host):
    subdomain = amp_cache_subdomain(host)
    assert len(subdomain) == 52
    assert subdomain == b32_sha256(host)
    assert subdomain == subdomain.lower() and "=" not in subdomain


def test_amp_cache_subdomain_longest_readable_label():
    host = "a" * 59 + ".org"  # 'aaa…a-org': exactly 63 characters
    assert amp_cache_subdomain(host) == "a" * 59 + "-org"


@pytest.mark.parametrize(
    ("amp_url", "cache_url"),
    [
        (RFERL_AMP, RFERL_CDN),
        (
            "http://www.rferl.org/amp/a",
            "https://www-rferl-org.cdn.ampproject.org/c/www.rferl.org/amp/a",
        ),
        (
            "https://example.com/g?value=Hello%20World",
            "https://example-com.cdn.ampproject.org/c/s/example.com/g?value=Hello%20World",
        ),
        (
            "https://www.example.com:8443/a",
            "https://www-example-com.cdn.ampproject.org/c/s/www.example.com:8443/a",
        ),
        ("ftp://www.example.com/a", None),
        ("/amp/story", None),
    ],
)
def test_expected_amp_cache_url(amp_url, cache_url):
    assert expected_amp_cache_url(amp_url) == cache_url


# --- link/amp-cache-mismatch -------------------------------------------------------------


def test_seed_cdn_amp_url_is_not_reported():
    seed = SEEDS / "000_00413085105cbbc0.txt"
    text = seed.read_text(encoding="utf-8")
    assert "https://www-rferl-org.cdn.ampproject.org/c/s/www.rferl.org/amp/" in text
    run = check(CheckOptions(paths=[seed], select=["link"]))
    assert run.result.records == 1
    assert rules_fired(run) == set()


@pytest.mark.parametrize(
    ("amp", "cdn", "message"),
    [
        (
            RFERL_AMP,
            "https://www.rferl.org.cdn.ampproject.org/c/s/www.rferl.org/amp/hrw-warns/30869831.html",
            f"expected {RFERL_CDN}",
        ),
        (
            RFERL_AMP,
            RFERL_CDN.replace("/c/s/", "/c/"),
            "is not the Google AMP Cache URL of ampWebUrl",
        ),
        (RFERL_AMP, RFERL_CDN.replace("30869831", "30869832"), f"expected {RFERL_CDN}"),
        (
            "https://www.example-herald.org/amp/story",
            "https://www-example-herald-org.cdn.ampproject.org/c/s/www.example-herald.org/amp/story",
            "expected https://www-example--herald-org.cdn.ampproject.org/c/s/www.example-herald.org/amp/story",
        ),
        (None, RFERL_CDN, "cdnAmpWebUrl is given but ampWebUrl is not"),
    ],
)
def test_amp_cache_mismatch_fires(tmp_path, amp, cdn, message):
    item = related(ampWebUrl=amp, cdnAmpWebUrl=cdn, provider=RFERL)
    text, found = run_link(tmp_path, "link/amp-cache-mismatch", related=[item])
    (finding,) = found
    assert finding.pointer == "/related/0/cdnAmpWebUrl"
    assert finding.line == line_of(text, "cdnAmpWebUrl:")
    assert message in finding.message


@pytest.mark.parametrize(
    ("amp", "cdn"),
    [
        (RFERL_AMP, RFERL_CDN),
        (
            RFERL_AMP,
            RFERL_CDN.replace(
                "www-rferl-org.cdn.ampproject.org", "WWW-RFERL-ORG.cdn.AMPproject.org"
            ),
        ),
        (
            "https://xn--bcher-kva.example/amp/a",
            "https://xn--bcher-example-wob.cdn.ampproject.org/c/s/xn--bcher-kva.example/amp/a",
        ),
        (RFERL_AMP, None),  # an AMP URL without a cache URL is fine
        ("/amp/relative", "https://x.cdn.ampproject.org/c/s/x/amp"),  # link/malformed's business
    ],
)
def test_amp_cache_mismatch_passes(tmp_path, amp, cdn):
    item = related(ampWebUrl=amp, cdnAmpWebUrl=cdn)
    _, found = run_link(tmp_path, "link/amp-cache-mismatch", related=[item])
    assert found == []


def test_amp_cache_mismatch_on_the_record_itself(tmp_path):
    amp = "https://www.hrw.org/amp/news/story"
    cdn = "https://www-hrw-org.cdn.ampproject.org/c/s/www.hrw.org/amp/news/story"
    _, found = run_link(tmp_path, "link/amp-cache-mismatch", ampWebUrl=amp, cdnAmpWebUrl=cdn)
    assert found == []
    text, found = run_link(
        tmp_path, "link/amp-cache-mismatch", ampWebUrl=amp, cdnAmpWebUrl=cdn + "x"
    )
    (finding,) = found
    assert finding.pointer == "/cdnAmpWebUrl"
    assert finding.line == line_of(text, "cdnAmpWebUrl:")


# --- link/self-related -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        WEB,
        WEB + "/",
        WEB.replace("https://www.", "http://"),
        WEB.replace("www.hrw.org", "WWW.HRW.ORG"),
    ],
)
def test_self_related_fires(tmp_path, url):
    items = [related(), related(title="Same story", webUrl=url)]
    text, found = run_link(tmp_path, "link/self-related", related=items)
    (finding,) = found
    assert finding.pointer == "/related/1/webUrl"
    assert finding.message == "related item points at this record itself"
    assert finding.line == line_of(text, "title: Same story") + 1


def test_self_related_matches_original_url(tmp_path):
    original = "https://www.hrw.org/original/story"
    _, found = run_link(
        tmp_path, "link/self-related", originalUrl=original, related=[related(webUrl=original)]
    )
    assert [f.pointer for f in found] == ["/related/0/webUrl"]


@pytest.mark.parametrize(
    "url",
    [
        WEB + "-follow-up",
        WEB + "?page=2",
        WEB.replace("www.hrw.org", "www.rferl.org"),
    ],
)
def test_self_related_passes(tmp_path, url):
    _, found = run_link(tmp_path, "link/self-related", related=[related(webUrl=url)])
    assert found == []


# --- link/duplicate-related --------------------------------------------------------------


@pytest.mark.parametrize(
    "second",
    [
        "https://www.rferl.org/a/hrw-warns/30869831.html",
        "http://rferl.org/a/hrw-warns/30869831.html/",
        "https://WWW.RFERL.ORG/a/hrw-warns/30869831.html",
    ],
)
def test_duplicate_related_fires(tmp_path, second):
    items = [
        related(),
        related(title="Other story", webUrl="https://www.rferl.org/b"),
        related(title="Again", webUrl=second),
    ]
    text, found = run_link(tmp_path, "link/duplicate-related", related=items)
    (finding,) = found
    assert finding.pointer == "/related/2/webUrl"
    assert finding.message == "related item repeats /related/0"
    assert finding.line == line_of(text, "title: Again") + 1


@pytest.mark.parametrize(
    "second",
    [
        "https://www.rferl.org/a/hrw-warns/30869832.html",
        "https://www.rferl.org/a/hrw-warns/30869831.html?lang=ru",
        "https://www.svoboda.org/a/hrw-warns/30869831.html",
    ],
)
def test_duplicate_related_passes(tmp_path, second):
    _, found = run_link(
        tmp_path, "link/duplicate-related", related=[related(), related(webUrl=second)]
    )
    assert found == []


# --- link/provider-domain-mismatch -------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "web_url"),
    [
        ("rferl.org", WEB),
        ("hrw.org", "https://www.evilhrw.org/news/story"),
        ("hrw.org", "https://hrw.org.attacker.example/news/story"),
        ("www.rferl.org", WEB),
    ],
)
def test_provider_domain_mismatch_fires(tmp_path, domain, web_url):
    provider = {"name": "Human Rights Watch", "domain": domain}
    text, found = run_link(
        tmp_path, "link/provider-domain-mismatch", provider=provider, webUrl=web_url
    )
    (finding,) = found
    assert finding.pointer == "/provider/domain"
    assert finding.line == line_of(text, "  domain:")
    assert f"provider.domain {domain!r} does not match the webUrl host" in finding.message


@pytest.mark.parametrize(
    ("domain", "web_url"),
    [
        ("hrw.org", WEB),
        ("www.hrw.org", WEB),
        ("HRW.org", WEB),
        ("hrw.org", "https://hrw.org/news/story"),
        ("hrw.org", "https://news.europe.hrw.org/story"),
    ],
)
def test_provider_domain_mismatch_passes(tmp_path, domain, web_url):
    provider = {"name": "Human Rights Watch", "domain": domain}
    _, found = run_link(
        tmp_path, "link/provider-domain-mismatch", provider=provider, webUrl=web_url
    )
    assert found == []


def test_provider_domain_mismatch_in_related(tmp_path):
    good = related(provider=RFERL)
    bad = related(title="Misattributed", webUrl="https://www.hrw.org/other", provider=RFERL)
    _, found = run_link(tmp_path, "link/provider-domain-mismatch", related=[good, bad])
    assert [f.pointer for f in found] == ["/related/1/provider/domain"]
    assert "'www.hrw.org'" in found[0].message


# --- shortcuts that must agree with the standard library ------------------------------------

HOST_PARTS = ["a", "ex-ample", "-x", "_", "org", "10", "0", "255", "256", "1", "::", ":", "%eth0"]
HOST_PARTS = [*HOST_PARTS, "ff", "[", "]", "١", "²", "é", "x" * 64, "", "localhost"]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(HOST_PARTS), max_size=6), st.sampled_from([".", ":", ""]))
def test_is_ip_agrees_with_ipaddress(parts, separator):
    host = separator.join(parts)
    try:
        ipaddress.ip_address(host.strip("[]"))
        expected = True
    except ValueError:
        expected = False
    assert _is_ip(host) == expected


@settings(max_examples=400)
@given(st.lists(st.sampled_from(HOST_PARTS), max_size=6))
def test_domain_ok_checks_each_label(parts):
    host = ".".join(parts)
    label = re.compile(r"(?!-)[\w-]{1,63}")
    assert _domain_ok(host) == all(label.fullmatch(part) for part in host.split("."))


@settings(max_examples=300)
@given(
    st.sampled_from(["https://", "http://", "//", "ftp://", "", "HTTPS://"]),
    st.lists(st.sampled_from([*HOST_PARTS, "user@", "WWW.Example.ORG", ":8080"]), max_size=4),
    st.sampled_from(["", "/a", "/a?b=c", "#f"]),
)
def test_url_host_is_the_split_hostname(scheme, parts, rest):
    url = scheme + "".join(parts) + rest
    parts_of = split_url(url)
    assert url_host(url) == (parts_of.hostname if parts_of is not None else None)


@given(st.text(st.characters(max_codepoint=127)))
def test_no_ascii_label_mixes_directions(label):
    # amp_cache_subdomain skips the bidirectional test for ASCII labels on this ground.
    assert not _mixes_directions(label + "a")


ODD = ["", "", "", " ", "\t", "\n", "\x00", "\x7f", "é", "\u2100", "%20", "@", ":", "[", "]", "_"]


@st.composite
def urls(draw: st.DrawFn) -> str:
    """URLs in the shape of the fast path, and one odd character away from it."""

    def part(*choices: str) -> str:
        return draw(st.sampled_from(choices)) + draw(st.sampled_from(ODD))

    return "".join(
        [
            part("https://", "http://", "HTTP://", "ftp://", "//", "", "https:/"),
            part("www.example.org", "Example.ORG", "a-b.c", "", "1.2.3.4", "[::1]", "user@h"),
            part("", "", ":8080", ":99999", ":x", ":"),
            part("", "/", "/a/b.html", "/a b", "//c"),
            part("", "?", "?q=1&r=2", "?a?b"),
            part("", "#", "#f", "#f?g#h"),
        ]
    )


@settings(max_examples=1000)
@given(urls())
def test_split_url_is_urlsplit(url):
    try:
        expected = urlsplit(url.strip())
        expected.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        expected = None
    split_url.cache_clear()
    assert split_url(url) == expected
    assert url_host(url) == (expected.hostname if expected is not None else None)


@given(st.text(max_size=12))
def test_printable_text_without_a_space_has_no_white_space(text):
    # malformed_reason skips its white-space search on such URLs.
    if text.isprintable() and " " not in text:
        assert not any(char.isspace() for char in text)

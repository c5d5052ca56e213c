"""The address whitelist matcher against the usual bypass attempts (R-POP-9)."""

import pytest

from agentdesk.config_center.whitelist.matching import (
    BadUrl,
    find_entry,
    parse_entry,
    parse_url,
)

ENTRIES = [
    parse_entry("https://good.com"),
    parse_entry("http://127.0.0.1:8001"),
    parse_entry("https://*.corp.example.com/app"),
    parse_entry("https://bücher.example/"),
]


@pytest.mark.parametrize(
    "url",
    [
        "https://good.com",
        "https://good.com/any/path?q=1#frag",
        "https://GOOD.COM/upper-case-host",
        "https://good.com./trailing-dot",
        "https://good.com:443/default-port-written",
        "http://127.0.0.1:8001/customer.html?x=1",
        "https://a.corp.example.com/app",
        "https://a.corp.example.com/app/deeper/page",
        "https://xn--bcher-kva.example/punycode-of-the-entry",
        "https://BÜCHER.example/unicode-host",
    ],
)
def test_allowed(url):
    assert find_entry(url, ENTRIES) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://good.com.evil.com/",  # suffix
        "https://evilgood.com/",  # prefix
        "https://good.com@evil.com/",  # user info: the host is evil.com
        "https://good.com:pw@evil.com/",
        "https://evil.com/https://good.com",  # the entry as a path
        "https://evil.com/?u=https://good.com",  # the entry in the query
        "http://good.com/",  # scheme mismatch
        "https://good.com:8443/",  # port mismatch
        "http://127.0.0.1:8002/",
        "http://127.0.0.1/",
        "https://good.com\\@evil.com/",  # backslash trick
        "https://corp.example.com/app",  # wildcard needs a label
        "https://a.b.corp.example.com/app",  # exactly one label
        "https://a.corp.example.com/application",  # prefix at a segment boundary
        "https://a.corp.example.com/app/../admin",  # dot segments resolved
        "https://a.corp.example.com/app/%2e%2e/admin",  # encoded dot segments
        "https://a.corp.example.com/APP",  # paths are case-sensitive
        "javascript:alert(1)//good.com",
        "data:text/html,https://good.com",
        "//good.com/",
        "",
    ],
)
def test_refused(url):
    assert find_entry(url, ENTRIES) is None


def test_url_parts_are_normalised():
    origin = parse_url("HTTPS://Good.COM:443/a/./b/../c")
    assert (origin.scheme, origin.host, origin.port, origin.path) == (
        "https",
        "good.com",
        443,
        "/a/c",
    )
    assert origin.origin == "https://good.com"
    assert parse_url("http://127.0.0.1:8001/").origin == "http://127.0.0.1:8001"


def test_a_trailing_dot_matches_the_host_but_stays_in_the_origin():
    """Chrome's origin of https://good.com./ is "https://good.com." (postMessage compares it)."""
    origin = parse_url("HTTPS://Good.COM.:443/x")
    assert origin.host == "good.com."
    assert origin.origin == "https://good.com."
    assert find_entry("https://good.com./x", ENTRIES) == parse_entry("https://good.com")
    assert parse_entry("https://good.com.").host == "good.com"
    # An IPv4 address loses the dot, as in the browser.
    assert parse_url("http://127.0.0.1.:8001/").origin == "http://127.0.0.1:8001"


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        # UTS #46 non-transitional, as Chromium: ß and ς are kept, not folded to ss and σ.
        ("https://straße.example/crm", "https://xn--strae-oqa.example"),
        ("https://STRAẞE.example/", "https://xn--strae-oqa.example"),  # capital sharp s
        ("https://stra%C3%9Fe.example/", "https://xn--strae-oqa.example"),
        ("https://faß.de/", "https://xn--fa-hia.de"),
        ("https://ｅｘａｍｐｌｅ.com/", "https://example.com"),  # full-width letters
        ("https://a。b.example/", "https://a.b.example"),  # ideographic full stop
        ("https://exa%6dple.com/", "https://example.com"),
        # Every IPv4 number form is the address it stands for.
        ("http://2130706433:8001/", "http://127.0.0.1:8001"),
        ("http://0x7f.1:8001/", "http://127.0.0.1:8001"),
        ("http://0177.0.0.1:8001/", "http://127.0.0.1:8001"),
        ("http://127.1:8001/", "http://127.0.0.1:8001"),
        ("http://[0:0:0:0:0:0:0:1]:8001/", "http://[::1]:8001"),
        ("http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]"),
    ],
)
def test_hosts_are_parsed_as_browsers_do(url, origin):
    assert parse_url(url).origin == origin


def test_idn_entry_does_not_cover_its_ascii_folding():
    """IDNA 2003 (Python's codec) folds ß to ss; browsers load xn--strae-oqa, another domain."""
    strasse = [parse_entry("https://strasse.example")]
    assert find_entry("https://straße.example/crm", strasse) is None
    assert find_entry("https://STRAẞE.example/crm", strasse) is None
    sharp = [parse_entry("https://straße.example")]
    assert sharp[0].host == "xn--strae-oqa.example"
    assert find_entry("https://xn--strae-oqa.example/crm", sharp) is not None
    assert find_entry("https://strasse.example/crm", sharp) is None
    ip = [parse_entry("http://127.0.0.1:8001")]
    assert find_entry("http://2130706433:8001/", ip) is not None  # the same address


@pytest.mark.parametrize(
    "url",
    [
        "https://x\u200dy.example/",  # a joiner out of context: Chromium refuses it too
        "https://💩.la/",  # UTS #46 allows, IDNA 2008 does not: refused, never guessed
        "https://good.com..//",  # empty label
        "https://my_host.example/",
        "https://1.2.3.4.5/",
        "http://256.0.0.1/",
        "https://good.com＠evil.com/",  # full-width @ folds into @
        "https://xn--zz.example/",  # invalid punycode
        "http://[::1/",
        "http://[fe80::1%25eth0]/",
        "https://a%00b.example/",
    ],
)
def test_hosts_that_cannot_be_reasoned_about_are_refused(url):
    with pytest.raises(BadUrl):
        parse_url(url)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("ftp://good.com", "http"),
        ("https://good.*.com", "wildcard"),
        ("https://*good.com", "wildcard"),
        ("https://*.com", "two labels"),
        ("https://user@good.com", "user information"),
        ("https://good.com/?q=1", "query"),
        ("https://good.com/#x", "fragment"),
        ("https://good com", "spaces"),
        ("https://good.com:99999", "port"),
        ("", "empty"),
    ],
)
def test_bad_entries_are_refused_with_the_reason(pattern, message):
    with pytest.raises(BadUrl, match=message):
        parse_entry(pattern)


def test_entry_pattern_round_trips():
    assert parse_entry("https://*.Corp.Example.com:8443/app/").pattern == (
        "https://*.corp.example.com:8443/app/"
    )
    assert parse_entry("http://127.0.0.1:8001/").pattern == "http://127.0.0.1:8001"

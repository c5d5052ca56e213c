"""The address whitelist matcher against the usual bypass attempts (R-POP-9)."""

import pytest

from agentdesk.config_center.screenpop.whitelist import (
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
    origin = parse_url("HTTPS://Good.COM.:443/a/./b/../c")
    assert (origin.scheme, origin.host, origin.port, origin.path) == (
        "https",
        "good.com",
        443,
        "/a/c",
    )
    assert origin.origin == "https://good.com"
    assert parse_url("http://127.0.0.1:8001/").origin == "http://127.0.0.1:8001"


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

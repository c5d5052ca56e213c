"""kit.urlhost: hosts read exactly as the WHATWG URL parser (Chromium) reads them."""

import pytest

from agentdesk.kit.urlhost import HostError, authority_host, canonical_host


@pytest.mark.parametrize(
    ("raw", "host"),
    [
        ("Example.COM", "example.com"),
        ("straße.example", "xn--strae-oqa.example"),  # non-transitional: not strasse
        ("STRAẞE.example", "xn--strae-oqa.example"),  # capital sharp s, not Python's lower()
        ("ς.example", "xn--3xa.example"),  # final sigma kept
        ("XN--STRAE-OQA.example", "xn--strae-oqa.example"),
        ("stra%C3%9Fe.example", "xn--strae-oqa.example"),
        ("crm.example.com.", "crm.example.com."),  # the dot is kept
        ("a。b．c｡d", "a.b.c.d"),
        ("127.0.0.1.", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7F000001", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1.258", "10.1.1.2"),
        ("0", "0.0.0.0"),
        ("0x.0x.0x.0x", "0.0.0.0"),
        ("１２７.０.０.１", "127.0.0.1"),
        ("[::ffff:127.0.0.1]", "[::ffff:7f00:1]"),
        ("[0:0:0:0:0:0:0:1]", "[::1]"),
        ("[1:0:0:1:0:0:0:1]", "[1:0:0:1::1]"),  # the longest run of zeros
        ("[1:0:1:2:3:4:5:6]", "[1:0:1:2:3:4:5:6]"),  # a single zero is not compressed
        ("[2001:DB8::1]", "[2001:db8::1]"),
    ],
)
def test_canonical_host(raw, host):
    assert canonical_host(raw) == host


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1.2.3.4.5",
        "256.0.0.1",
        "1.2.3.256.",
        "0x100000000",
        "09.0.0.1",
        "[::1",
        "[fe80::1%25eth0]",
        "[::1::2]",
        "a b.example",
        "a%00b.example",
        "a%25b.example",
        "x\u200dy.example",
        "💩.example",
        "xn--zz.example",
        "good.com＠evil.com",
    ],
)
def test_hosts_browsers_refuse_or_we_cannot_vouch_for(raw):
    with pytest.raises(HostError):
        canonical_host(raw)


def test_authority_host_keeps_what_was_written():
    assert authority_host("user:pw@Good.COM:8443") == "Good.COM"
    assert authority_host("[::1]:8001") == "[::1]"
    assert authority_host("stra%C3%9Fe.example") == "stra%C3%9Fe.example"

"""kit.outbound's URL handling and the sealing of interface auth headers at rest."""

import pytest

from agentdesk.config_center.interfaces.sealing import UnsealError, seal, unseal
from agentdesk.kit.outbound import parse_target, redact

KEY = "test-secret-key-" + "x" * 32


def test_parse_target():
    target = parse_target(" https://CRM.example.com/rest/v1/queryCustomer?x=1 ")
    assert (target.scheme, target.host, target.port) == ("https", "crm.example.com", 443)
    assert target.host_header == "crm.example.com"
    assert parse_target("http://127.0.0.1:8001/q").host_header == "127.0.0.1:8001"
    assert parse_target("http://[::1]:8080/").host_header == "[::1]:8080"
    assert parse_target("http://例子.测试/").host == "xn--fsqu00a.xn--0zwm56d"


def test_parse_target_connects_where_a_browser_would():
    """The page check fetches the host the agent's browser loads (kit.urlhost), not Python's
    IDNA 2003 reading of it."""
    assert parse_target("https://straße.example/crm").host == "xn--strae-oqa.example"
    assert parse_target("http://0x7f.1:8001/").host == "127.0.0.1"
    assert parse_target("http://[::ffff:127.0.0.1]/").host == "::ffff:7f00:1"
    dotted = parse_target("https://crm.example.com./x")
    assert dotted.host == "crm.example.com."
    assert dotted.host_header == "crm.example.com."


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://x.example/", "only http:// and https://"),
        ("http:///path", "no host"),
        ("http://user:pw@x.example/", "user name or password"),
        ("http://x.example:99999/", "invalid port"),
        ("x.example/path", "only http:// and https://"),
        ("http://1.2.3.4.5/", "invalid IPv4"),
        ("http://💩.example/", "international name"),
    ],
)
def test_parse_target_refuses(url, message):
    with pytest.raises(ValueError, match=message):
        parse_target(url)


def test_redact_drops_credentials_query_and_fragment():
    assert redact("https://u:p@crm.example.com:8443/q?token=abc#f") == (
        "https://crm.example.com:8443/q"
    )


def test_sealing_round_trip():
    sealed = seal("Bearer s3cret", KEY)
    assert sealed.startswith("v1.") and "s3cret" not in sealed
    assert seal("Bearer s3cret", KEY) != sealed  # a fresh nonce every time
    assert unseal(sealed, KEY) == "Bearer s3cret"
    with pytest.raises(UnsealError):
        unseal(sealed, "another-secret-key")
    with pytest.raises(UnsealError):
        unseal(sealed[:-4] + "AAAA", KEY)
    with pytest.raises(UnsealError):
        unseal("v0.abc", KEY)

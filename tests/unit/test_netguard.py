"""kit.netguard: the server never connects to private or local addresses unless allowed."""

import asyncio
import socket

import pytest

from agentdesk.kit.errors import DomainError
from agentdesk.kit.netguard import BlockedAddress, blocked_reason, is_blocked_ip, resolve_public

BLOCKED = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.254", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),  # cloud metadata endpoint
    ("0.0.0.0", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("100.64.0.1", "shared"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("ff02::1", "multicast"),
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:169.254.169.254", "link-local"),
    ("2002:7f00:1::", "loopback"),  # 6to4 around 127.0.0.1
    ("64:ff9b::a00:1", "private"),  # NAT64 around 10.0.0.1
]

PUBLIC = [
    "8.8.8.8",
    "93.184.216.34",
    "1.1.1.1",
    "172.32.0.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
]


@pytest.mark.parametrize(("ip", "kind"), BLOCKED)
def test_blocked_addresses(ip, kind):
    assert is_blocked_ip(ip)
    assert kind in blocked_reason(ip)


@pytest.mark.parametrize("ip", PUBLIC)
def test_public_addresses(ip):
    assert not is_blocked_ip(ip)
    assert blocked_reason(ip) is None


def test_is_blocked_ip_rejects_garbage():
    with pytest.raises(ValueError):
        is_blocked_ip("not-an-ip")


def test_blocked_address_is_a_422_domain_error():
    assert issubclass(BlockedAddress, DomainError)
    err = BlockedAddress("nope")
    assert err.status_code == 422
    assert err.code == "blocked_address"


async def test_literal_public_ip_needs_no_dns(monkeypatch):
    loop = asyncio.get_running_loop()

    async def no_dns(*args, **kwargs):
        raise AssertionError("a literal IP must not be resolved")

    monkeypatch.setattr(loop, "getaddrinfo", no_dns)
    assert await resolve_public("8.8.8.8", 443, allow_private=False) == ["8.8.8.8"]
    assert await resolve_public("[2606:4700::1]", 443, allow_private=False) == ["2606:4700::1"]


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "::1", "169.254.169.254", "0.0.0.0"])
async def test_literal_private_ip_refused(host):
    with pytest.raises(BlockedAddress) as caught:
        await resolve_public(host, 80, allow_private=False)
    assert "public" in caught.value.message


async def test_literal_private_ip_allowed_when_asked():
    assert await resolve_public("[::1]", 80, allow_private=True) == ["::1"]
    assert await resolve_public("127.0.0.1", 80, allow_private=True) == ["127.0.0.1"]


def fake_resolver(monkeypatch, answers: dict[str, list[str]]):
    loop = asyncio.get_running_loop()
    calls = []

    async def getaddrinfo(host, port, *args, **kwargs):
        calls.append((host, port))
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        infos = []
        for ip in answers[host]:
            family = socket.AF_INET6 if ":" in ip else socket.AF_INET
            sockaddr = (ip, port, 0, 0) if family == socket.AF_INET6 else (ip, port)
            infos.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
        return infos

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    return calls


async def test_name_resolving_to_public_addresses(monkeypatch):
    calls = fake_resolver(
        monkeypatch, {"crm.example.com": ["93.184.216.34", "93.184.216.34", "2606:2800::1"]}
    )
    addresses = await resolve_public("crm.example.com", 8443, allow_private=False)
    assert addresses == ["93.184.216.34", "2606:2800::1"]
    assert calls == [("crm.example.com", 8443)]


async def test_one_private_answer_is_enough_to_refuse(monkeypatch):
    fake_resolver(monkeypatch, {"rebind.example.com": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(BlockedAddress) as caught:
        await resolve_public("rebind.example.com", 80, allow_private=False)
    assert "rebind.example.com (10.0.0.7)" in caught.value.message
    assert "private" in caught.value.message
    assert await resolve_public("rebind.example.com", 80, allow_private=True) == [
        "93.184.216.34",
        "10.0.0.7",
    ]


async def test_mapped_private_answer_refused(monkeypatch):
    fake_resolver(monkeypatch, {"mapped.example.com": ["::ffff:192.168.0.10"]})
    with pytest.raises(BlockedAddress):
        await resolve_public("mapped.example.com", 80, allow_private=False)


async def test_unresolvable_name_raises_oserror(monkeypatch):
    fake_resolver(monkeypatch, {})
    with pytest.raises(OSError):
        await resolve_public("nowhere.invalid", 80, allow_private=True)


async def test_localhost_is_refused_for_real():
    with pytest.raises(BlockedAddress) as caught:
        await resolve_public("localhost", 80, allow_private=False)
    assert "loopback" in caught.value.message


async def test_empty_host_is_an_error():
    with pytest.raises(ValueError):
        await resolve_public("  ", 80, allow_private=True)


@pytest.mark.parametrize("host", ["localhost.", "LOCALHOST", "api.localhost", "a.b.localhost."])
async def test_localhost_names_are_loopback_without_asking_dns(monkeypatch, host):
    """RFC 6761: a resolver that does not know `localhost.` or `x.localhost` must not make
    them look harmless (or public)."""
    loop = asyncio.get_running_loop()

    async def public_dns(*args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443))]

    monkeypatch.setattr(loop, "getaddrinfo", public_dns)
    with pytest.raises(BlockedAddress, match="loopback"):
        await resolve_public(host, 443, allow_private=False)
    assert await resolve_public("notlocalhost.example", 443, allow_private=False) == [
        "93.184.216.34"
    ]

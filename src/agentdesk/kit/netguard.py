"""Refuse server-side requests to private, local or otherwise non-public addresses (SSRF guard).

Whenever the server fetches a URL an admin typed (checking a screen-pop page, for example), it
resolves the host first with `resolve_public` and connects only to the addresses returned, so a
URL cannot make the server reach its own loopback, the LAN or a cloud metadata endpoint.
"""

import asyncio
import ipaddress
import socket

from agentdesk.kit.errors import DomainError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Not covered by `is_private` on every Python version we support.
_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, RFC 6598
_NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052, embeds an IPv4 address


class BlockedAddress(DomainError):
    """A host resolved to an address the server must not connect to."""

    status_code = 422
    code = "blocked_address"


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64_PREFIX:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def blocked_reason(ip: str | IPAddress) -> str | None:
    """Why `ip` is not a public address ("loopback", "private", ...), or None when it is."""
    addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    if isinstance(addr, ipaddress.IPv6Address):
        inner = _embedded_ipv4(addr)
        if inner is not None:
            reason = blocked_reason(inner)
            return f"{reason}, embedded in IPv6" if reason else None
        if addr.teredo is not None:
            return "Teredo tunnel"
    checks = (
        ("unspecified", addr.is_unspecified),
        ("loopback", addr.is_loopback),
        ("link-local", addr.is_link_local),
        ("multicast", addr.is_multicast),
        ("reserved", addr.is_reserved),
        ("private", addr.is_private),
        ("site-local", isinstance(addr, ipaddress.IPv6Address) and addr.is_site_local),
        ("shared (carrier-grade NAT)", addr in _SHARED_ADDRESS_SPACE),
    )
    for name, hit in checks:
        if hit:
            return name
    return None


def is_blocked_ip(ip: str | IPAddress) -> bool:
    """True when `ip` is private, loopback, link-local, multicast, reserved, unspecified, or an
    IPv6 address embedding such an IPv4 address. Raises ValueError for a malformed address."""
    return blocked_reason(ip) is not None


def _literal_ip(host: str) -> IPAddress | None:
    candidate = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        return None


def _is_localhost_name(host: str) -> bool:
    """`localhost` and every name under it are loopback (RFC 6761; browsers never ask DNS),
    whatever a resolver would say, trailing dot or not."""
    name = host.lower().removesuffix(".")
    return name == "localhost" or name.endswith(".localhost")


def _refuse(host: str, ip: str, reason: str) -> BlockedAddress:
    shown = host if _literal_ip(host) is not None else f"{host} ({ip})"
    return BlockedAddress(
        f"{shown} is not a public address ({reason}); the server only connects to public ones"
    )


async def resolve_public(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Resolve `host` (a name or a literal IP, IPv6 with or without brackets) to the addresses
    the server may connect to, in resolver order and without duplicates.

    Raises BlockedAddress when any resolved address is not public, unless `allow_private`
    (one bad address is enough: a name pointing both ways is a rebinding trick). Raises
    OSError (socket.gaierror) when the name does not resolve and ValueError for an empty host.
    """
    host = host.strip()
    if not host:
        raise ValueError("empty host")
    if not allow_private and _is_localhost_name(host):
        raise BlockedAddress(
            f"{host} is not a public address (loopback name); the server only connects to "
            "public ones"
        )
    literal = _literal_ip(host)
    if literal is not None:
        addresses = [str(literal)]
    else:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(str(ipaddress.ip_address(info[4][0])) for info in infos))
        if not addresses:
            raise socket.gaierror(f"{host} has no address")
    if not allow_private:
        for ip in addresses:
            reason = blocked_reason(ip)
            if reason:
                raise _refuse(host, ip, reason)
    return addresses

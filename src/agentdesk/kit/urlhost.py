"""A URL's host exactly as browsers parse it (the WHATWG URL "host parser").

The whitelist decides on a host and then the agent's browser loads a host; the server checks a
host and the browser frames one. If these are not the same string, a whitelisted-looking URL
loads another site, so every host the server reasons about is canonicalised the way Chromium
does it:

- percent-escapes decoded (`exa%6dple.com` is `example.com`);
- international names mapped with UTS #46 *non-transitional* processing, as browsers have done
  since 2023 (`straße` is `xn--strae-oqa`, a different domain from `strasse`; Python's built-in
  "idna" codec is IDNA 2003 and says `strasse`), through the maintained `idna` package;
- IPv4 in any of its number forms (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`) written as
  dotted decimal, IPv6 compressed (`[::ffff:7f00:1]`);
- a trailing dot kept: `crm.example.com.` is its own origin in the browser.

The `idna` package applies IDNA 2008 validity on top of the UTS #46 mapping, so it refuses some
hosts browsers accept (emoji, empty labels): such a host is refused here, never guessed.
"""

import ipaddress
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import idna

# The ports a URL without one means, per scheme (the WHATWG URL "special schemes").
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
# The schemes a page or an outbound call may use, with their default ports.
HTTP_PORTS = {"http": 80, "https": 443}

# WHATWG "forbidden domain code points" (after mapping; the C0 controls are checked apart).
_FORBIDDEN = frozenset(" #%/:<>?@[\\]^|\x7f")
_DIGITS = {8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}


class HostError(ValueError):
    """The host is not one a browser would load the same way; the message says why."""


class Origin(NamedTuple):
    """A web origin (scheme, host as browsers load it, port made explicit): the one helper
    for "which site is this URL or origin string", used by framing verdicts and by checks
    that compare a page's origin with the workbench's."""

    scheme: str
    host: str  # canonical, without IPv6 brackets
    port: int | None

    @classmethod
    def parse(cls, url: str) -> "Origin":
        """The origin of a URL or of an origin string ("https://host[:port]"); lenient: a
        host browsers would refuse is kept lower-cased rather than rejected."""
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        try:
            port = parts.port
        except ValueError:
            port = None
        try:
            host = canonical_host(authority_host(parts.netloc)).strip("[]")
        except HostError:
            host = (parts.hostname or "").lower()
        return cls(scheme, host, port or DEFAULT_PORTS.get(scheme))

    @property
    def default_port(self) -> bool:
        return self.port is None or self.port == DEFAULT_PORTS.get(self.scheme)

    def serialize(self) -> str:
        """The origin as browsers write it (`event.origin`): no default port, IPv6 bracketed."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return (
            f"{self.scheme}://{host}"
            if self.default_port
            else f"{self.scheme}://{host}:{self.port}"
        )


def authority_host(netloc: str) -> str:
    """The host of an authority (`user@host:port`) as written: brackets and escapes kept."""
    host = netloc.rpartition("@")[2]
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.partition(":")[0]


def canonical_host(raw: str) -> str:
    """The host a browser loads for `raw` (as written in a URL); raises HostError."""
    if not raw:
        raise HostError("the URL has no host")
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise HostError("the URL has an invalid IPv6 address")
        return f"[{_ipv6(raw[1:-1])}]"
    domain = _domain_to_ascii(unquote(raw))
    if any(char in _FORBIDDEN or char < " " for char in domain):
        raise HostError("the URL's host contains a character browsers refuse in a host")
    if _ends_in_number(domain):
        return _ipv4(domain)
    return domain


def _domain_to_ascii(text: str) -> str:
    labels = text.split(".")
    if text.isascii() and not any(label.lower().startswith("xn--") for label in labels):
        return text.lower()  # what UTS #46 does to such a name, by the URL standard's own rule
    try:
        return idna.encode(text, uts46=True, std3_rules=False, transitional=False).decode()
    except (idna.IDNAError, UnicodeError):
        raise HostError(
            "the URL's host is an international name that cannot be checked safely"
        ) from None


def _ends_in_number(domain: str) -> bool:
    labels = domain.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    last = labels[-1]
    if last.isdigit() and last.isascii():
        return True
    return last[:2] in ("0x", "0X") and all(char in _DIGITS[16] for char in last[2:])


def _ipv4_number(part: str) -> int:
    if not part:
        raise HostError("the URL has an invalid IPv4 address")
    radix = 10
    if part[:2] in ("0x", "0X"):
        part, radix = part[2:], 16
    elif len(part) > 1 and part[0] == "0":
        part, radix = part[1:], 8
    if not part:
        return 0
    if not all(char in _DIGITS[radix] for char in part):
        raise HostError("the URL has an invalid IPv4 address")
    return int(part, radix)


def _ipv4(domain: str) -> str:
    """Dotted decimal of an IPv4 host in any of the forms browsers accept."""
    parts = domain.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        raise HostError("the URL has an invalid IPv4 address")
    numbers = [_ipv4_number(part) for part in parts]
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise HostError("the URL has an invalid IPv4 address")
    value = numbers[-1] + sum(n << (8 * (3 - i)) for i, n in enumerate(numbers[:-1]))
    return str(ipaddress.IPv4Address(value))


def _ipv6(text: str) -> str:
    """RFC 5952 text of an IPv6 address, as the URL standard serialises it (no zone id)."""
    if "%" in text:
        raise HostError("the URL has an invalid IPv6 address")
    try:
        pieces = [int(p, 16) for p in ipaddress.IPv6Address(text).exploded.split(":")]
    except ValueError:
        raise HostError("the URL has an invalid IPv6 address") from None
    best_start, best_len, start = -1, 1, None  # only a run of two or more zeros is compressed
    for i, piece in enumerate([*pieces, 1]):
        if piece == 0 and start is None:
            start = i
        elif piece != 0 and start is not None:
            if i - start > best_len:
                best_start, best_len = start, i - start
            start = None
    hexes = [f"{p:x}" for p in pieces]
    if best_start < 0:
        return ":".join(hexes)
    head, tail = hexes[:best_start], hexes[best_start + best_len :]
    return ":".join(head) + "::" + ":".join(tail)

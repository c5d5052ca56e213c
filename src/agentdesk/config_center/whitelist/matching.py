"""The address whitelist [地址白名单] matcher: scheme + host + port (+ path prefix), exactly.

A URL is taken apart the way a browser would load it (the host exactly as Chromium parses it,
see kit.urlhost: UTS #46 non-transitional for international names, every IPv4 number form as
dotted decimal; default ports made explicit, dot segments resolved) and each part compared
with an entry. Nothing is ever matched as a substring, so `https://good.com.evil.com`,
`https://good.com@evil.com` or `https://evil.com/https://good.com` never pass for
`https://good.com`, and `https://straße.example` (xn--strae-oqa) never for
`https://strasse.example`.

A trailing dot names the same DNS host, so `https://good.com./` matches `https://good.com`,
but it stays in the page's origin: the browser's origin keeps it, and postMessage checks
compare origins.

Pure: no database, no web framework (an import-linter contract keeps it so).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from agentdesk.kit.urlhost import HTTP_PORTS as DEFAULT_PORTS  # a page is http(s) only
from agentdesk.kit.urlhost import HostError, authority_host, canonical_host

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# Characters a browser strips or rewrites before parsing, which we refuse instead.
_SUSPICIOUS = re.compile(r"[\\\s\x00-\x1f\x7f]")
UNPARSABLE = (
    "the {what} cannot be parsed: a '[' without its ']', or a character that stands for "
    "'@', ':', '/', '?' or '#'"
)


class BadUrl(ValueError):
    """The text is not an http(s) URL a whitelist can reason about; the message says why."""


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str  # as the browser loads it: a trailing dot kept, IPv6 in brackets
    port: int
    path: str

    @property
    def origin(self) -> str:
        default = DEFAULT_PORTS[self.scheme] == self.port
        return f"{self.scheme}://{self.host}" + ("" if default else f":{self.port}")


@dataclass(frozen=True)
class Entry:
    scheme: str
    host: str  # may start with "*."
    port: int
    path_prefix: str = ""

    @property
    def pattern(self) -> str:
        default = DEFAULT_PORTS[self.scheme] == self.port
        port = "" if default else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}{self.path_prefix}"


def normalise_host(host: str) -> str:
    """The host as a browser loads it (trailing dot kept); raises BadUrl when it is not one
    the whitelist can reason about: besides what browsers refuse, any label that is not
    letters, digits and inner hyphens (an `_`, an empty label)."""
    try:
        canonical = canonical_host(host.strip())
    except HostError as exc:
        raise BadUrl(str(exc)) from None
    if canonical.startswith("[") or re.fullmatch(r"[0-9.]+", canonical):
        return canonical  # IP literal, already in the one form browsers write it
    if not all(_LABEL.match(label) for label in canonical.removesuffix(".").split(".")):
        raise BadUrl(f"invalid host name: {canonical}")
    return canonical


def remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4, after decoding encoded dots (browsers treat %2e as '.')."""
    segments = re.sub(r"%2e", ".", path or "/", flags=re.IGNORECASE).split("/")
    output: list[str] = []
    for segment in segments[1:] if path.startswith("/") else segments:
        if segment == "..":
            if output:
                output.pop()
        elif segment != ".":
            output.append(segment)
    trailing = segments[-1] in (".", "..")
    return "/" + "/".join(output) + ("/" if trailing and output else "")


def parse_url(url: str) -> Origin:
    """Take a page URL apart as a browser would load it; raises BadUrl with the reason."""
    if not isinstance(url, str) or not url.strip():
        raise BadUrl("the URL is empty")
    if _SUSPICIOUS.search(url):
        raise BadUrl("the URL contains spaces, control characters or backslashes")
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed "[", a character that folds into "@" (not echoed back)
        raise BadUrl(UNPARSABLE.format(what="URL")) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise BadUrl("only http:// and https:// URLs can be opened")
    if "@" in parts.netloc:
        raise BadUrl("the URL must not contain user information (user@host)")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise BadUrl("the URL has an invalid port") from exc
    host = normalise_host(authority_host(parts.netloc))
    return Origin(scheme, host, port, remove_dot_segments(parts.path or "/"))


def parse_entry(pattern: str) -> Entry:
    """A whitelist entry from text like `https://*.example.com:8443/app/`."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise BadUrl("the entry is empty")
    pattern = pattern.strip()
    try:
        parts = urlsplit(pattern)
    except ValueError:
        raise BadUrl(UNPARSABLE.format(what="entry")) from None
    if parts.query or parts.fragment or pattern.endswith(("?", "#")):
        raise BadUrl("an entry has no query or fragment")
    wildcard = (parts.hostname or "").startswith("*.")
    rest = pattern.replace("://*.", "://", 1) if wildcard else pattern
    if "*" in rest:
        raise BadUrl("a wildcard is allowed only as the leading '*.' label of the host")
    placeholder = pattern.replace("://*.", "://wildcard-label.", 1) if wildcard else pattern
    origin = parse_url(placeholder)
    host = origin.host.removesuffix(".")  # entries name DNS hosts; see _host_matches
    if wildcard:
        host = "*." + host.removeprefix("wildcard-label.")
        if host.count(".") < 2:
            raise BadUrl("a wildcard needs a domain of at least two labels (*.example.com)")
    prefix = "" if origin.path == "/" else origin.path
    return Entry(origin.scheme, host, origin.port, prefix)


def _host_matches(entry_host: str, host: str) -> bool:
    host = host.removesuffix(".")  # the same DNS host, fully qualified
    if entry_host.startswith("*."):
        # Exactly one more label, as a TLS wildcard: *.example.com covers a.example.com only.
        label, _, rest = host.partition(".")
        return bool(label) and rest == entry_host[2:]
    return entry_host == host


def _path_matches(prefix: str, path: str) -> bool:
    if not prefix:
        return True
    if prefix.endswith("/"):
        return path.startswith(prefix)
    return path == prefix or path.startswith(prefix + "/")


def entry_matches(entry: Entry, origin: Origin) -> bool:
    return (
        entry.scheme == origin.scheme
        and entry.port == origin.port
        and _host_matches(entry.host, origin.host)
        and _path_matches(entry.path_prefix, origin.path)
    )


def find_entry(url: str, entries: list[Entry]) -> Entry | None:
    """The first entry the URL matches, or None (also for a URL that cannot be parsed)."""
    try:
        origin = parse_url(url)
    except BadUrl:
        return None
    return next((entry for entry in entries if entry_matches(entry, origin)), None)


def permission(url: str, entries: Sequence[tuple[Entry, bool]]) -> bool | None:
    """Whether `url` may reach private addresses (the allow_private flag of the first entry it
    matches), or None when it matches no entry."""
    flags = dict(entries)
    found = find_entry(url, list(flags))
    return None if found is None else flags[found]

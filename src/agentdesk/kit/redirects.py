"""Where a browser may be sent after logging in: same-origin relative paths only.

Browsers are lenient in ways a prefix check misses: they read `\\` as `/` (so `/\\evil.example`
is `//evil.example`, another host), drop tabs and newlines anywhere in a URL, and accept
`//host` as "same scheme, other host". So the value is refused on any of those characters,
then resolved against our own origin the way a browser would, and kept only when the result
is still on that origin.
"""

from urllib.parse import urljoin, urlsplit

HOME = "/"


def _origin_of(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def safe_next(value: str | None, origin: str, default: str = HOME) -> str:
    """`value` as a path on `origin` (with its query and fragment), or `default`."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value or any(ord(c) < 0x21 or ord(c) == 0x7F for c in value):
        return default
    resolved = urljoin(origin.rstrip("/") + "/", value)
    if _origin_of(resolved) != _origin_of(origin):
        return default
    parts = urlsplit(resolved)
    path = parts.path or HOME
    if path.startswith("//"):
        return default
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{path}{query}{fragment}"

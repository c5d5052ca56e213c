"""What a pop page receives (R-POP-4…7): parameters, the GET URL or POST form, the signature.

Pure functions over plain data, so the workbench, the "try it" preview and the tests all build
exactly the same thing.
"""

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

# R-POP-5: the nine call-data parameters, in the guide's order.
CALL_DATA_KEYS = (
    "callerNum",
    "calledNum",
    "callid",
    "mediaType",
    "callType",
    "workNo",
    "callskill",
    "callskillid",
    "agentName",
)
SIGNATURE, TIMESTAMP = "adk_sig", "adk_ts"


@dataclass(frozen=True)
class ParamSpec:
    """A configured parameter: URL name ← call data or attached data key."""

    name: str
    source: str  # "call_data" | "attached_data"
    key: str


def select_params(call: dict, attached: dict, configured: list[ParamSpec]) -> list[tuple[str, str]]:
    """The nine defaults when nothing is configured, else exactly the configured ones."""
    if not configured:
        return [(key, _text(call.get(key))) for key in CALL_DATA_KEYS]
    values = []
    for spec in configured:
        source = call if spec.source == "call_data" else attached
        values.append((spec.name, _text(source.get(spec.key))))
    return values


def pop_values(call: dict) -> dict:
    """Call data as pop pages receive it: mediaType is 1 (audio/video) or 5 (multimedia text
    chat) here, while workbench events and the SDK name the medium (audio, video, …)."""
    media = call.get("mediaType")
    return {**call, "mediaType": "1" if media in ("audio", "video", "1") else "5"}


def _text(value) -> str:
    return "" if value is None else str(value)


def canonical(params: list[tuple[str, str]]) -> str:
    """The signed string: parameters except the signature, sorted, percent-encoded."""
    return "&".join(
        f"{quote(name, safe='')}={quote(value, safe='')}"
        for name, value in sorted(params)
        if name != SIGNATURE
    )


def sign(params: list[tuple[str, str]], secret: str, timestamp: int) -> list[tuple[str, str]]:
    """The parameters plus `adk_ts` and `adk_sig` = hex HMAC-SHA256(secret, canonical)."""
    stamped = [*params, (TIMESTAMP, str(timestamp))]
    digest = hmac.new(secret.encode(), canonical(stamped).encode(), hashlib.sha256).hexdigest()
    return [*stamped, (SIGNATURE, digest)]


def get_url(url: str, params: list[tuple[str, str]]) -> str:
    """The page URL with the parameters appended to its query (its own query kept).

    Values are percent-encoded, but ':' and '/' are left as they are: pages written for the
    vendor read `origin` without decoding it (the guide's getUrlParam) and still need a usable
    postMessage target."""
    parts = urlsplit(url)
    added = "&".join(f"{quote(name, safe='')}={quote(value, safe=':/')}" for name, value in params)
    query = f"{parts.query}&{added}" if parts.query and added else parts.query or added
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def query_params(url: str) -> list[tuple[str, str]]:
    """The decoded query of a URL (what a page's server sees), for previews and tests."""
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)

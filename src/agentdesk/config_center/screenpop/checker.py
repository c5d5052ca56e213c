"""The page check (R-POP-10, guide 2.6.1): can the workbench embed this page?

`framing_verdict` applies the browsers' rules to a response's headers: an enforced
Content-Security-Policy `frame-ancestors` directive decides when present (and X-Frame-Options is
then ignored), otherwise X-Frame-Options does. `check_page` fetches the page from the server
and reports reachability, HTTPS, the verdict and advice.

The fetch is kit.outbound's `get_following`: every redirect hop must itself match an address
whitelist entry and pass kit.netguard with *that* entry's private-address permission, so a
whitelisted page cannot steer the server to another port of 127.0.0.1 or to a metadata address,
and failures all read the same, so the check cannot be used to scan ports.

Nothing here logs a query string or a header value: pop URLs and headers may carry tokens.
"""

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC
from typing import NamedTuple
from urllib.parse import urlsplit

from agentdesk.config_center.screenpop import whitelist
from agentdesk.kit.clock import Clock
from agentdesk.kit.outbound import (
    MAX_REDIRECTS,
    OutboundError,
    Permit,
    Target,
    get_following,
    parse_target,
    redact,
)
from agentdesk.kit.urlhost import HostError, authority_host, canonical_host

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

ADVICE_INDEPENDENT = "use independent mode [独立打开]"
ADVICE_HTTPS = "serve the page over HTTPS"


# ---------------------------------------------------------------- origins


class Origin(NamedTuple):
    scheme: str
    host: str
    port: int | None

    @classmethod
    def parse(cls, url: str) -> "Origin":
        """The origin of a URL or of an origin string ("https://host[:port]")."""
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        try:
            port = parts.port
        except ValueError:
            port = None
        try:  # the host as the browser serialises it (kit.urlhost), brackets aside
            host = canonical_host(authority_host(parts.netloc)).strip("[]")
        except HostError:
            host = (parts.hostname or "").lower()
        return cls(scheme, host, port or DEFAULT_PORTS.get(scheme))

    def serialize(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port is None or self.port == DEFAULT_PORTS.get(self.scheme):
            return f"{self.scheme}://{host}"
        return f"{self.scheme}://{host}:{self.port}"


def _scheme_matches(expression: str, scheme: str) -> bool:
    """CSP "scheme-part matches": equal, or a secure upgrade of the expression's scheme."""
    expression, scheme = expression.lower(), scheme.lower()
    return (
        expression == scheme
        or (expression == "http" and scheme == "https")
        or (expression == "ws" and scheme in ("wss", "http", "https"))
        or (expression == "wss" and scheme == "https")
    )


def _same_origin_or_upgrade(page: Origin, other: Origin) -> bool:
    """CSP 'self': the same origin, or the https/wss upgrade of an http/ws page origin."""
    if page == other:
        return True
    upgraded = {"http": "https", "ws": "wss"}.get(page.scheme)
    return (
        upgraded == other.scheme
        and page.host == other.host
        and page.port == DEFAULT_PORTS.get(page.scheme)
        and other.port == DEFAULT_PORTS.get(other.scheme)
    )


# ---------------------------------------------------------------- CSP


def _header_values(headers: Mapping[str, str] | Iterable[tuple[str, str]], name: str) -> list[str]:
    """Every value of header `name` (case-insensitive), however the headers are held."""
    for getter in ("get_list", "getlist"):  # httpx.Headers / starlette & multidict
        if hasattr(headers, getter):
            return [str(v) for v in getattr(headers, getter)(name)]
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    wanted = name.lower()
    values: list[str] = []
    for key, value in pairs:
        if str(key).lower() != wanted:
            continue
        values.extend(value if isinstance(value, list | tuple) else [value])
    return [str(v) for v in values]


def _frame_ancestors(header_values: list[str]) -> list[list[str]]:
    """The frame-ancestors source lists of every policy in these CSP header values.

    A header value may hold several policies separated by commas (that is how repeated headers
    are joined); inside a policy the first occurrence of a directive wins."""
    lists = []
    for value in header_values:
        for policy in value.split(","):
            seen: set[str] = set()
            for directive in policy.split(";"):
                tokens = directive.split()
                if not tokens:
                    continue
                name = tokens[0].lower()
                if name in seen:
                    continue
                seen.add(name)
                if name == "frame-ancestors":
                    lists.append(tokens[1:])
    return lists


def _host_matches(pattern: str, host: str) -> bool:
    pattern = pattern.lower()
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return pattern == host


def _port_matches(port_part: str | None, expr_scheme: str | None, target: Origin) -> bool:
    if port_part == "*":
        return True
    if port_part is None:
        return target.port == DEFAULT_PORTS.get(target.scheme)
    if not port_part.isdigit():
        return False
    port = int(port_part)
    if port == target.port:
        return True
    # Browsers let an http port 80 source match its https upgrade on 443.
    return port == 80 and target.scheme == "https" and target.port == 443 and expr_scheme != "https"


def _source_matches(source: str, target: Origin, page: Origin) -> bool:
    """Does one frame-ancestors source expression match the embedding (workbench) origin?"""
    lowered = source.lower()
    if lowered == "'self'":
        return _same_origin_or_upgrade(page, target)
    if lowered.startswith("'"):
        return False  # 'none' among other sources, nonces, hashes, 'unsafe-*': match nothing
    if source == "*":
        return target.scheme in ("http", "https") or target.scheme == page.scheme
    if lowered.endswith(":") and "/" not in lowered and lowered[:-1].replace("-", "").isalnum():
        return _scheme_matches(lowered[:-1], target.scheme)
    # host-source: [scheme "://"] host [":" port] [path]; the path is ignored here.
    scheme: str | None = None
    rest = lowered
    if "://" in rest:
        scheme, rest = rest.split("://", 1)
    rest = rest.split("/", 1)[0]
    host, port_part = rest, None
    if ":" in rest:
        host, port_part = rest.rsplit(":", 1)
    if not host:
        return False
    if scheme is None:
        if not _scheme_matches(page.scheme, target.scheme):
            return False
    elif not _scheme_matches(scheme, target.scheme):
        return False
    return _host_matches(host, target.host) and _port_matches(port_part, scheme, target)


def _list_allows(sources: list[str], target: Origin, page: Origin) -> bool:
    if len(sources) == 1 and sources[0].lower() == "'none'":
        return False
    return any(_source_matches(source, target, page) for source in sources)


# ---------------------------------------------------------------- verdict


def _clip(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def framing_verdict(
    headers: Mapping[str, str] | Iterable[tuple[str, str]], page_origin: str, workbench_origin: str
) -> tuple[str, str]:
    """("allowed" | "forbidden", reason) for embedding a page served with `headers` from
    `page_origin` in an iframe of the workbench at `workbench_origin`, as browsers decide."""
    page, workbench = Origin.parse(page_origin), Origin.parse(workbench_origin)
    wb = workbench.serialize()
    enforced = _frame_ancestors(_header_values(headers, "content-security-policy"))
    if enforced:
        for sources in enforced:
            shown = _clip(" ".join(sources)) or "(empty)"
            if not sources or (len(sources) == 1 and sources[0].lower() == "'none'"):
                return (
                    "forbidden",
                    f"Content-Security-Policy frame-ancestors {shown} forbids embedding this "
                    "page in any frame.",
                )
            if not _list_allows(sources, workbench, page):
                return (
                    "forbidden",
                    f"Content-Security-Policy frame-ancestors {shown} does not allow the "
                    f"workbench origin {wb}.",
                )
        return (
            "allowed",
            f"Content-Security-Policy frame-ancestors allows the workbench origin {wb} "
            "(X-Frame-Options, if any, is ignored when frame-ancestors is present).",
        )
    note = ""
    if _frame_ancestors(_header_values(headers, "content-security-policy-report-only")):
        note = (
            " A Content-Security-Policy-Report-Only frame-ancestors only reports; "
            "it blocks nothing."
        )
    raw = [
        item.strip().lower()
        for value in _header_values(headers, "x-frame-options")
        for item in value.split(",")
        if item.strip()
    ]
    values = list(dict.fromkeys(raw))
    if not values:
        return (
            "allowed",
            "Neither Content-Security-Policy frame-ancestors nor X-Frame-Options restricts "
            "framing." + note,
        )
    if len(values) > 1:
        if {"deny", "sameorigin", "allowall"} & set(values):
            return (
                "forbidden",
                f"X-Frame-Options has conflicting values ({_clip(', '.join(values))}); "
                "browsers then refuse to embed the page." + note,
            )
        return (
            "allowed",
            f"X-Frame-Options has several unrecognised values ({_clip(', '.join(values))}); "
            "browsers ignore it and embed the page." + note,
        )
    value = values[0]
    if value == "deny":
        return "forbidden", "X-Frame-Options: DENY forbids embedding this page in any frame." + note
    if value == "sameorigin":
        if page == workbench:
            return (
                "allowed",
                "X-Frame-Options: SAMEORIGIN, and the page has the workbench's origin." + note,
            )
        return (
            "forbidden",
            f"X-Frame-Options: SAMEORIGIN allows only frames on {page.serialize()}; the "
            f"workbench origin is {wb}." + note,
        )
    if value.startswith("allow-from"):
        return (
            "allowed",
            "X-Frame-Options: ALLOW-FROM is obsolete and ignored by current browsers "
            "(Chrome, Edge, Firefox), so the page can be embedded; to restrict framing use "
            "Content-Security-Policy frame-ancestors instead." + note,
        )
    return (
        "allowed",
        f"X-Frame-Options value '{_clip(value, 40)}' is invalid and ignored by browsers "
        "(Chrome ignores unknown values), so the page can be embedded." + note,
    )


# ---------------------------------------------------------------- check_page


def _parse_target(url: str) -> Target:
    """Validate a page URL to fetch (shared rules of `kit.outbound`), with the check's wording
    for the one case that matters to framing."""
    try:
        return parse_target(url)
    except ValueError as exc:
        if "user name or password" in str(exc):
            raise ValueError(
                "the URL contains a user name or password; browsers refuse to load such URLs "
                "in a frame"
            ) from None
        raise


def _whitelisted(entries: Sequence[tuple[whitelist.Entry, bool]]) -> Permit:
    """Each hop must match a whitelist entry; it may reach private addresses only when that
    entry allows it."""

    def permit(target: Target) -> bool:
        allowed = whitelist.permission(target.url, entries)
        if allowed is None:
            raise OutboundError(
                f"{redact(target.url)} is not in the address whitelist [地址白名单]",
                kind="refused",
            )
        return allowed

    return permit


def _result(url: str, **values) -> dict:
    result = {
        "url": url,
        "https": False,
        "reachable": False,
        "status": None,
        "framing": "unknown",
        "reason": "",
        "advice": [],
        "error": None,
        "redirects": [],
        "checked_at": None,  # stamped by check_page with the clock
    }
    result.update(values)
    return result


def _all_https(url: str, redirects: Sequence[str]) -> bool:
    return all(hop.lower().startswith("https:") for hop in [url.strip(), *redirects])


def _failed(url: str, exc: OutboundError, https: bool) -> dict:
    """The result of a check that got no answer to judge (never a header of a refused hop)."""
    if exc.kind == "refused":
        reason = (
            "The page was not fetched further: it redirects to an address that is not in the "
            "address whitelist, and the check visits whitelisted addresses only."
        )
        advice = ["point the page URL at its final address"]
    elif exc.kind == "blocked":
        reason = (
            "The page was not fetched: its address is not public (a whitelist entry can "
            "allow private addresses of that entry for page checks)."
        )
        advice = []
    else:
        reason = "The page could not be fetched from the AgentDesk server."
        advice = [] if https else [ADVICE_HTTPS]
    return _result(
        url,
        https=https,
        redirects=list(exc.redirects),
        error=exc.message,
        reason=reason,
        advice=advice,
    )


async def check_page(
    url: str,
    *,
    workbench_origin: str,
    entries: Sequence[tuple[whitelist.Entry, bool]],
    timeout: float = 5.0,
    clock: Clock | None = None,
) -> dict:
    """Fetch `url` like the workbench's iframe would and report whether it can be embedded.

    `entries`: the address whitelist with each entry's allow_private flag; the URL and each of
    at most MAX_REDIRECTS redirects must match one. Never raises for a bad URL or a network
    problem: they are reported in "error"."""
    result = await _check(url, workbench_origin, entries, timeout)
    at = (clock or Clock()).now().replace(tzinfo=UTC)
    return result | {"checked_at": at.isoformat(timespec="seconds")}


async def _check(url: str, workbench_origin: str, entries, timeout: float) -> dict:
    try:
        _parse_target(url)
    except ValueError as exc:
        return _result(
            url,
            https=url.strip().lower().startswith("https:"),
            error=str(exc),
            reason="The URL cannot be checked.",
        )
    try:
        fetched = await get_following(url, timeout=timeout, permit=_whitelisted(entries))
    except OutboundError as exc:
        log.info("page check %s: %s", redact(url), exc.kind)
        return _failed(url, exc, _all_https(url, exc.redirects))
    status, headers, redirects = fetched.status, fetched.headers, list(fetched.redirects)
    https = _all_https(url, redirects)
    if fetched.too_many_redirects:
        log.info("page check %s: more than %d redirects", redact(url), MAX_REDIRECTS)
        return _result(
            url,
            https=https,
            reachable=True,
            status=status,
            redirects=redirects,
            error=f"more than {MAX_REDIRECTS} redirects",
            reason="The page redirects too many times to be checked.",
            advice=["point the page URL at its final address"],
        )
    framing, reason = framing_verdict(headers, fetched.target.url, workbench_origin)
    if not https and Origin.parse(workbench_origin).scheme == "https":
        framing = "forbidden"
        reason += (
            " But the workbench is served over HTTPS, so browsers block this http:// page "
            "inside it (mixed content)."
        )
    advice = []
    if framing == "forbidden":
        advice.append(ADVICE_INDEPENDENT)
    if not https:
        advice.append(ADVICE_HTTPS)
    if status >= 400:
        reason += f" The page answered HTTP {status}."
    log.info("page check %s: status %s, framing %s", redact(url), status, framing)
    return _result(
        url,
        https=https,
        reachable=True,
        status=status,
        framing=framing,
        reason=reason,
        advice=advice,
        redirects=redirects,
    )

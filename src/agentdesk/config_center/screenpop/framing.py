"""Framing verdicts (R-POP-10, guide 2.6.1): may the workbench embed a page with these headers?

The browsers' rules: an enforced Content-Security-Policy `frame-ancestors` directive decides
when present (X-Frame-Options is then ignored), otherwise X-Frame-Options does; a
Report-Only policy blocks nothing. `decide` answers "allowed" or "forbidden" with the reasons as
codes (`checkcodes`), so readers get them in their own language.

Pure: headers and origins in, a verdict out; no network, no database, no web framework.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from agentdesk.config_center.screenpop.checkcodes import Reason, render_reasons
from agentdesk.kit.urlhost import DEFAULT_PORTS, Origin

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(frozen=True)
class Verdict:
    framing: str  # "allowed" | "forbidden"
    reasons: tuple[Reason, ...]

    @property
    def allowed(self) -> bool:
        return self.framing == "allowed"


# ---------------------------------------------------------------- headers


def header_values(headers: Headers, name: str) -> list[str]:
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


def frame_ancestors(csp_values: list[str]) -> list[list[str]]:
    """The frame-ancestors source lists of every policy in these CSP header values.

    A header value may hold several policies separated by commas (that is how repeated headers
    are joined); inside a policy the first occurrence of a directive wins."""
    lists = []
    for value in csp_values:
        for policy in value.split(","):
            seen: set[str] = set()
            for directive in policy.split(";"):
                tokens = directive.split()
                if not tokens or tokens[0].lower() in seen:
                    continue
                seen.add(tokens[0].lower())
                if tokens[0].lower() == "frame-ancestors":
                    lists.append(tokens[1:])
    return lists


# ---------------------------------------------------------------- CSP source matching


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


def _host_source_matches(source: str, target: Origin, page: Origin) -> bool:
    """host-source: [scheme "://"] host [":" port] [path]; the path is ignored here."""
    scheme: str | None = None
    rest = source
    if "://" in rest:
        scheme, rest = rest.split("://", 1)
    rest = rest.split("/", 1)[0]
    host, port_part = rest, None
    if ":" in rest:
        host, port_part = rest.rsplit(":", 1)
    if not host or not _scheme_matches(page.scheme if scheme is None else scheme, target.scheme):
        return False
    return _host_matches(host, target.host) and _port_matches(port_part, scheme, target)


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
    return _host_source_matches(lowered, target, page)


def _list_allows(sources: list[str], target: Origin, page: Origin) -> bool:
    if len(sources) == 1 and sources[0].lower() == "'none'":
        return False
    return any(_source_matches(source, target, page) for source in sources)


# ---------------------------------------------------------------- verdicts


def clip(text: str, limit: int = 120) -> str:
    """One line of at most `limit` characters (header values are shown, never in full)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _csp_verdict(enforced: list[list[str]], page: Origin, workbench: Origin) -> Verdict:
    wb = workbench.serialize()
    for sources in enforced:
        shown = clip(" ".join(sources)) or "(empty)"
        if not sources or (len(sources) == 1 and sources[0].lower() == "'none'"):
            return Verdict("forbidden", (Reason("csp_forbids_all", {"sources": shown}),))
        if not _list_allows(sources, workbench, page):
            reason = Reason("csp_excludes_workbench", {"sources": shown, "workbench": wb})
            return Verdict("forbidden", (reason,))
    return Verdict("allowed", (Reason("csp_allows_workbench", {"workbench": wb}),))


def _xfo_reason(values: list[str], page: Origin, workbench: Origin) -> tuple[str, Reason]:
    if not values:
        return "allowed", Reason("no_framing_rule")
    if len(values) > 1:
        shown = {"values": clip(", ".join(values))}
        if {"deny", "sameorigin", "allowall"} & set(values):
            return "forbidden", Reason("xfo_conflicting", shown)
        return "allowed", Reason("xfo_unrecognised", shown)
    value = values[0]
    if value == "deny":
        return "forbidden", Reason("xfo_deny")
    if value == "sameorigin":
        if page == workbench:
            return "allowed", Reason("xfo_sameorigin_same")
        origins = {"page": page.serialize(), "workbench": workbench.serialize()}
        return "forbidden", Reason("xfo_sameorigin_other", origins)
    if value.startswith("allow-from"):
        return "allowed", Reason("xfo_allow_from")
    return "allowed", Reason("xfo_invalid", {"value": clip(value, 40)})


def decide(headers: Headers, page_origin: str, workbench_origin: str) -> Verdict:
    """The verdict for embedding a page served with `headers` from `page_origin` in an iframe
    of the workbench at `workbench_origin`, as browsers decide."""
    page, workbench = Origin.parse(page_origin), Origin.parse(workbench_origin)
    enforced = frame_ancestors(header_values(headers, "content-security-policy"))
    if enforced:
        return _csp_verdict(enforced, page, workbench)
    raw = [
        item.strip().lower()
        for value in header_values(headers, "x-frame-options")
        for item in value.split(",")
        if item.strip()
    ]
    framing, reason = _xfo_reason(list(dict.fromkeys(raw)), page, workbench)
    reasons = [reason]
    if frame_ancestors(header_values(headers, "content-security-policy-report-only")):
        reasons.append(Reason("report_only_ignored"))
    return Verdict(framing, tuple(reasons))


def framing_verdict(headers: Headers, page_origin: str, workbench_origin: str) -> tuple[str, str]:
    """("allowed" | "forbidden", the reason in English): `decide` as readable text."""
    verdict = decide(headers, page_origin, workbench_origin)
    return verdict.framing, render_reasons(verdict.reasons)

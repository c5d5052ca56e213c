"""The page check (R-POP-10, guide 2.6.1): can the workbench embed this page?

`check_page` fetches the page from the server and reports reachability, HTTPS, the framing
verdict (`framing.decide`) and advice. Reasons and advice are stored as codes (`checkcodes`)
beside their English text, so a reader can have them in its own language.

The fetch is kit.outbound's `get_following`: every redirect hop must itself match an address
whitelist entry and pass kit.netguard with *that* entry's private-address permission, so a
whitelisted page cannot steer the server to another port of 127.0.0.1 or to a metadata address,
and failures all read the same, so the check cannot be used to scan ports.

Nothing here logs a query string or a header value: pop URLs and headers may carry tokens.
"""

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from agentdesk.config_center.screenpop.checkcodes import (
    Reason,
    advice_text,
    reasons_from,
    render_reasons,
)
from agentdesk.config_center.screenpop.framing import decide, framing_verdict
from agentdesk.config_center.whitelist import service as whitelist
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
from agentdesk.kit.urlhost import Origin

__all__ = ["ADVICE_HTTPS", "ADVICE_INDEPENDENT", "check_page", "framing_verdict", "in_language"]

log = logging.getLogger(__name__)

ADVICE_INDEPENDENT = advice_text("use_independent_mode")
ADVICE_HTTPS = advice_text("serve_https")


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


def _whitelisted(entries: whitelist.Entries) -> Permit:
    """Each hop must match a whitelist entry; it may reach private addresses only when that
    entry allows it."""

    def permit(target: Target) -> bool:
        allowed = whitelist.may_reach_private(target.url, entries)
        if allowed is None:
            raise OutboundError(
                f"{redact(target.url)} is not in the address whitelist [地址白名单]",
                kind="refused",
            )
        return allowed

    return permit


def _result(url: str, now: datetime, reasons=(), advice=(), **values) -> dict:
    """A check result: readable English `reason`/`advice` plus the codes they come from."""
    result = {
        "url": url,
        "https": False,
        "reachable": False,
        "status": None,
        "framing": "unknown",
        "reason": render_reasons(reasons),
        "advice": [advice_text(code) for code in advice],
        "error": None,
        "redirects": [],
        "checked_at": now.isoformat(timespec="seconds"),
        "reason_codes": [reason.as_dict() for reason in reasons],
        "advice_codes": list(advice),
    }
    result.update(values)
    return result


def in_language(result: dict | None, lang: str) -> dict | None:
    """A stored result with `reason` and `advice` in `lang` (results stored before codes
    existed keep their English text)."""
    if not result or "reason_codes" not in result:
        return result
    reasons = reasons_from(result["reason_codes"])
    advice = [code for code in result.get("advice_codes", []) if isinstance(code, str)]
    try:
        texts = [advice_text(code, lang) for code in advice]
    except KeyError:
        return result
    return {**result, "reason": render_reasons(reasons, lang), "advice": texts}


def _all_https(url: str, redirects: Sequence[str]) -> bool:
    return all(hop.lower().startswith("https:") for hop in [url.strip(), *redirects])


def _failed(url: str, exc: OutboundError, https: bool, now: datetime) -> dict:
    """The result of a check that got no answer to judge (never a header of a refused hop)."""
    if exc.kind == "refused":
        reason, advice = "redirect_refused", ["use_final_address"]
    elif exc.kind == "blocked":
        reason, advice = "address_not_public", []
    else:
        reason, advice = "unreachable", [] if https else ["serve_https"]
    return _result(
        url,
        now,
        [Reason(reason)],
        advice,
        https=https,
        redirects=list(exc.redirects),
        error=exc.message,
    )


def _judged(url: str, fetched, workbench_origin: str, now: datetime) -> dict:
    """The result for an answer: the framing verdict, HTTPS and the status, with advice."""
    redirects = list(fetched.redirects)
    https = _all_https(url, redirects)
    verdict = decide(fetched.headers, fetched.target.url, workbench_origin)
    framing, reasons = verdict.framing, list(verdict.reasons)
    if not https and Origin.parse(workbench_origin).scheme == "https":
        framing = "forbidden"
        reasons.append(Reason("mixed_content"))
    advice = (["use_independent_mode"] if framing == "forbidden" else []) + (
        [] if https else ["serve_https"]
    )
    if fetched.status >= 400:
        reasons.append(Reason("http_status", {"status": fetched.status}))
    log.info("page check %s: status %s, framing %s", redact(url), fetched.status, framing)
    return _result(
        url,
        now,
        reasons,
        advice,
        https=https,
        reachable=True,
        status=fetched.status,
        framing=framing,
        redirects=redirects,
    )


async def check_page(
    url: str,
    *,
    workbench_origin: str,
    entries: whitelist.Entries,
    timeout: float = 5.0,
    clock: Clock | None = None,
) -> dict:
    """Fetch `url` like the workbench's iframe would and report whether it can be embedded.

    `entries`: the address whitelist with each entry's allow_private flag; the URL and each of
    at most MAX_REDIRECTS redirects must match one. Never raises for a bad URL or a network
    problem: they are reported in "error"."""
    now = (clock or Clock()).now().replace(tzinfo=UTC)  # the clock is naive UTC
    try:
        _parse_target(url)
    except ValueError as exc:
        https = url.strip().lower().startswith("https:")
        return _result(url, now, [Reason("url_unchecked")], https=https, error=str(exc))
    try:
        fetched = await get_following(url, timeout=timeout, permit=_whitelisted(entries))
    except OutboundError as exc:
        log.info("page check %s: %s", redact(url), exc.kind)
        return _failed(url, exc, _all_https(url, exc.redirects), now)
    if fetched.too_many_redirects:
        log.info("page check %s: more than %d redirects", redact(url), MAX_REDIRECTS)
        redirects = list(fetched.redirects)
        return _result(
            url,
            now,
            [Reason("too_many_redirects")],
            ["use_final_address"],
            https=_all_https(url, redirects),
            reachable=True,
            status=fetched.status,
            redirects=redirects,
            error=f"more than {MAX_REDIRECTS} redirects",
        )
    return _judged(url, fetched, workbench_origin, now)

"""The HTTP call of an interface step: the step's rendered body POSTed as JSON to an
interface the operations admin registered (接口管理) and mapped to the tenant, through
`kit.outbound` (address guard, no redirects, size limit) within the step's time-out (never
more than the interface's own). Never raises, and never logs the body or the answer: a body
may hold masked digits (a PIN) - only the interface, the status, the size and the time are
logged.
"""

import json
import logging
from dataclasses import dataclass

from agentdesk.config_center.interfaces.caller import CallSpec
from agentdesk.kit.outbound import OutboundError, post_json, redact

log = logging.getLogger(__name__)
EXCERPT_CHARS = 500


@dataclass(frozen=True)
class StepCall:
    """What came back: the decoded JSON `answer`, or an `error` (time-out, refused address,
    HTTP status, not JSON). `text` is an excerpt of a body that was not JSON (try-it)."""

    answer: object | None
    error: str | None
    status: int | None = None
    elapsed_ms: int | None = None
    text: str | None = None


def effective_timeout(spec: CallSpec, step_timeout_seconds: float) -> float:
    return max(0.1, min(step_timeout_seconds, spec.timeout_ms / 1000))


async def call_step_interface(spec: CallSpec, body: dict, timeout_seconds: float) -> StepCall:
    where = f"IVR interface {spec.name} (#{spec.interface_id}) {redact(spec.url)}"
    try:
        answer = await post_json(
            spec.url,
            body,
            timeout=effective_timeout(spec, timeout_seconds),
            allow_private=spec.allow_private,
            headers=spec.headers,
        )
    except OutboundError as exc:
        log.info("%s: %s", where, exc.kind)
        return StepCall(None, f"the interface could not be called: {exc.message}")
    log.info("%s: HTTP %s, %d bytes, %d ms", where, answer.status, len(answer.body),
             answer.elapsed_ms)  # fmt: skip
    measured = {"status": answer.status, "elapsed_ms": answer.elapsed_ms}
    text = answer.body.decode("utf-8", errors="replace")[:EXCERPT_CHARS]
    if not 200 <= answer.status < 300:
        return StepCall(None, f"the interface answered HTTP {answer.status}", text=text,
                        **measured)  # fmt: skip
    try:
        decoded = json.loads(answer.body)
    except (ValueError, UnicodeDecodeError):
        return StepCall(None, "the answer is not JSON", text=text, **measured)
    return StepCall(decoded, None, **measured)

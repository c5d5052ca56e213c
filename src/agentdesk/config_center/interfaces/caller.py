"""The call to an enterprise interface (R-EXT-2) and what comes of it.

`POST` with `Content-Type: application/json; charset=UTF-8` and the body `{"param": "<caller
number>"}`, within the interface's time-out, without following redirects, only to addresses
kit.netguard approves (private ones only when the interface allows them). Never raises: any
failure — unusable URL, refused address, time-out, HTTP error, malformed answer — becomes an
outcome with a clear `error`.

Nothing here logs the caller number, the auth header or the answer: a log line has the
redacted URL, the status, the size and the time.
"""

import logging
import time
from dataclasses import dataclass, field

from agentdesk.config_center.interfaces.answer import AnswerError, parse_answer_bytes
from agentdesk.kit.outbound import OutboundError, post_json, redact
from agentdesk.observability.metrics import observe_interface_call

log = logging.getLogger(__name__)

ERROR_EXCERPT_CHARS = 200


@dataclass(frozen=True)
class CallSpec:
    """Everything needed to call one interface; `headers` may hold the auth header."""

    interface_id: int
    name: str
    url: str
    timeout_ms: int
    allow_private: bool
    headers: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class CallOutcome:
    ok: bool
    objects: list[dict] = field(default_factory=list)
    error: str | None = None
    status: int | None = None
    elapsed_ms: int | None = None

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "objects": self.objects,
            "error": self.error,
            "status": self.status,
            "elapsed_ms": self.elapsed_ms,
        }


def failed(message: str, **values) -> CallOutcome:
    return CallOutcome(ok=False, error=message, **values)


def _excerpt(body: bytes) -> str:
    text = " ".join(body.decode("utf-8", errors="replace").split())
    return text if len(text) <= ERROR_EXCERPT_CHARS else text[: ERROR_EXCERPT_CHARS - 1] + "…"


def _http_error(status: int, body: bytes) -> str:
    if 300 <= status < 400:
        return f"the interface answered HTTP {status} (a redirect); redirects are not followed"
    excerpt = _excerpt(body)
    return f"the interface answered HTTP {status}" + (f": {excerpt}" if excerpt else "")


async def call_interface(spec: CallSpec, param: str) -> CallOutcome:
    """Call the interface for `param` (the caller number) and parse its answer."""
    started = time.monotonic()
    outcome, reason = await _call(spec, param)
    observe_interface_call(time.monotonic() - started, outcome.ok, reason)
    return outcome


async def _call(spec: CallSpec, param: str) -> tuple[CallOutcome, str]:
    """The outcome and, when it failed, a short reason for the error metric."""
    where = f"interface {spec.name} (#{spec.interface_id}) {redact(spec.url)}"
    try:
        answer = await post_json(
            spec.url,
            {"param": param},
            timeout=spec.timeout_ms / 1000,
            allow_private=spec.allow_private,
            headers=spec.headers,
        )
    except OutboundError as exc:
        log.info("%s: %s", where, exc.kind)
        return failed(f"the interface could not be called: {exc.message}"), exc.kind
    log.info(
        "%s: HTTP %s, %d bytes, %d ms", where, answer.status, len(answer.body), answer.elapsed_ms
    )
    measured = {"status": answer.status, "elapsed_ms": answer.elapsed_ms}
    if not 200 <= answer.status < 300:
        return failed(_http_error(answer.status, answer.body), **measured), "http_status"
    try:
        objects = parse_answer_bytes(answer.body)
    except AnswerError as exc:
        log.info("%s: answer refused (%s at %s)", where, exc.rule, exc.path)
        return failed(f"the answer breaks the interface rules: {exc.message}", **measured), (
            "bad_answer"
        )
    return CallOutcome(ok=True, objects=objects, **measured), ""

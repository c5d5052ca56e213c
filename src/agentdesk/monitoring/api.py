"""GET /healthz, /readyz, /metrics."""

import asyncio
import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from agentdesk.kit.errors import NotFound, Unauthorized
from agentdesk.monitoring.gauges import database_families
from agentdesk.monitoring.sampler import sample_process
from agentdesk.observability import metrics

log = logging.getLogger(__name__)
router = APIRouter(tags=["operations"])
CHECK_TIMEOUT_SECONDS = 2.0


@router.get("/healthz")
async def healthz() -> dict:
    """The process is alive and its event loop answers."""
    return {"status": "ok"}


async def _check(name: str, probe) -> tuple[str, bool]:
    try:
        return name, bool(await asyncio.wait_for(probe(), timeout=CHECK_TIMEOUT_SECONDS))
    except Exception as exc:  # the reason goes to the log, not to an unauthenticated caller
        log.warning("readiness: %s unreachable (%s)", name, type(exc).__name__)
        return name, False


async def _database_answers(db) -> bool:
    async with db.engine.connect() as conn:
        return (await conn.execute(text("SELECT 1"))).scalar() == 1


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready when the database and the bus are reachable: 200, else 503 naming what is not."""
    state = request.app.state
    checks = dict(
        await asyncio.gather(
            _check("database", lambda: _database_answers(state.db)),
            _check("bus", state.bus.ping),
        )
    )
    ready = all(checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)


def _check_token(request: Request) -> None:
    expected = request.app.state.settings.metrics_token
    if not expected:
        raise NotFound("metrics are off on this instance (set AGENTDESK_METRICS_TOKEN)")
    auth = request.headers.get("authorization", "")
    given = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthorized("send the metrics token as a bearer token")


@router.get("/metrics")
async def metrics_exposition(request: Request) -> Response:
    """Prometheus text exposition: this host's workers, and what the database says now."""
    _check_token(request)
    state = request.app.state
    sample_process(state.hub)
    async with state.db.reader() as session:
        families = await database_families(session, state.clock.now())
    body = metrics.render_process_metrics() + metrics.render_families(families)
    return Response(body, media_type=metrics.CONTENT_TYPE)

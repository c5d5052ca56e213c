"""The application factory: `create_app(settings)` wires engines, bus, hub and routers."""

import asyncio
import logging
from contextlib import asynccontextmanager
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from agentdesk.auth.deps import CSRF_COOKIE
from agentdesk.auth.pages import not_found_page
from agentdesk.auth.service import SessionSigner
from agentdesk.config import Settings
from agentdesk.kit.bodylimit import BodyLimit
from agentdesk.kit.clock import Clock
from agentdesk.kit.errors import (
    DomainError,
    NotFound,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)
from agentdesk.kit.messages import translate
from agentdesk.kit.validation import field_errors_from_pydantic
from agentdesk.monitoring.sampler import start_sampler, stop_tasks
from agentdesk.observability.logs import RequestLogging
from agentdesk.observability.metrics import process_stopped
from agentdesk.realtime.bus import make_bus
from agentdesk.realtime.hub import StreamHub
from agentdesk.routes import include_routers
from agentdesk.storage import retention
from agentdesk.storage.database import Database
from agentdesk.tenancy.params import get_param
from agentdesk.web import STATIC_DIR, csp
from agentdesk.web.i18n import request_language

log = logging.getLogger(__name__)


def _error_body(exc: DomainError, lang: str = "en") -> dict:
    body = {"detail": exc.message_in(lang), "code": exc.code}
    if isinstance(exc, ValidationFailed):
        body["detail"] = ValidationFailed.detail_in(lang, exc.errors)
        body["errors"] = [e.as_dict(lang) for e in exc.errors]
    if isinstance(exc, TooManyRequests):
        body["retry_after"] = exc.retry_after
    return body


def _language(request: Request) -> str:
    return request_language(request)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


async def _domain_error(request: Request, exc: DomainError):
    if isinstance(exc, Unauthorized) and _wants_html(request):
        return RedirectResponse(
            f"/login?{urlencode({'next': _here(request)}, safe='/')}", status_code=303
        )
    if isinstance(exc, NotFound) and _wants_html(request):
        return not_found_page(request, exc.message_in(_language(request)))
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    body = _error_body(exc, _language(request))
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


def _here(request: Request) -> str:
    """The path and query to come back to after logging in (checked again by /login)."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


async def _http_error(request: Request, exc: StarletteHTTPException):
    """An unknown page is a page for people (HTML 404); `/api/...` and non-browsers keep
    FastAPI's JSON."""
    if exc.status_code == 404 and _wants_html(request):
        return not_found_page(request)
    if isinstance(exc.detail, str):  # "Not Found", "Method Not Allowed": in the asked language
        detail = translate(exc.detail, _language(request))
        exc = StarletteHTTPException(exc.status_code, detail, headers=exc.headers)
    return await http_exception_handler(request, exc)


async def _request_validation_error(request: Request, exc: RequestValidationError):
    failed = ValidationFailed(field_errors_from_pydantic(exc.errors()))
    return JSONResponse(_error_body(failed, _language(request)), status_code=422)


class SecurityHeaders:
    """Adds the fresh CSRF cookie (when the request minted one) and hardening headers.

    Plain ASGI rather than `@app.middleware("http")`: that one costs a task group per request,
    which shows at hundreds of requests per second."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                new_csrf = (scope.get("state") or {}).get("new_csrf")
                if new_csrf:
                    cookie = Response()
                    cookie.set_cookie(CSRF_COOKIE, new_csrf, samesite="strict", path="/")
                    headers.append("set-cookie", cookie.headers["set-cookie"])
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                # Rendered pages set their own policy (with a nonce); everything else gets one
                # that lets nothing inline run and nobody else frame it.
                headers.setdefault("Content-Security-Policy", csp.FALLBACK_POLICY)
                headers.setdefault("X-Frame-Options", csp.FRAME_OPTIONS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _start_outbox_pruning(db: Database, settings: Settings, clock: Clock) -> asyncio.Task:
    """Keep the outbox to the system parameter `event_retention_hours` (read each round)."""

    async def retention_hours(session) -> int:
        return await get_param(session, "event_retention_hours")

    return asyncio.create_task(
        retention.prune_forever(db, retention_hours, settings.outbox_prune_seconds, clock),
        name="outbox-prune",
    )


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        db = Database(settings.database_url)
        bus = make_bus(settings.bus_url)
        hub = StreamHub(
            db,
            poll_seconds=settings.stream_poll_seconds,
            send_timeout=settings.stream_send_timeout_seconds,
            max_backlog=settings.stream_max_backlog,
        )
        db.after_commit_hooks.append(bus.publish)
        bus.subscribe(hub.on_bus)
        app.state.db, app.state.bus, app.state.hub = db, bus, hub
        await bus.start()
        await hub.start()
        background = []
        if settings.run_background_tasks:
            from agentdesk.telephony.runner import start_background

            background = await start_background(app)
            background.append(_start_outbox_pruning(db, settings, app.state.clock))
        background.append(start_sampler(app))
        try:
            yield
        finally:
            # Timers first and awaited: a claimed one rolls back and another worker takes it.
            await stop_tasks(background)
            await hub.stop()
            await bus.stop()
            await db.dispose()
            process_stopped()

    # The documentation pages come from web/docs.py, each with its own CSP.
    app = FastAPI(
        title="agentdesk", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.settings = settings
    app.state.clock = Clock()
    app.state.signer = SessionSigner(settings.secret_key)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLogging)  # outermost: its request id covers everything inside
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    include_routers(app)
    return app

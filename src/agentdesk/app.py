"""The application factory: `create_app(settings)` wires engines, bus, hub and routers."""

import logging
from collections.abc import Iterable
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
from agentdesk.config_center.basetables import importer
from agentdesk.jobs.registry import JobContext, JobKind, JobRegistry
from agentdesk.jobs.runner import JobRunner
from agentdesk.kit.bodylimit import BodyLimit
from agentdesk.kit.clock import Clock
from agentdesk.kit.crypto import data_keyring
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


OUTBOX_PRUNE_KIND = "outbox.prune"


class _StateClock(Clock):
    """The app's clock as long-lived resources see it: whatever `app.state.clock` is at each
    reading (tests put a FakeClock on a running app; imports and jobs follow it)."""

    def __init__(self, state):
        self._state = state

    def now(self):
        return self._state.clock.now()

    def monotonic(self) -> float:
        return self._state.clock.monotonic()

    def timestamp(self) -> float:
        return self._state.clock.timestamp()


async def _retention_hours(session) -> int:
    return await get_param(session, "event_retention_hours")


def _outbox_prune_kind(settings: Settings) -> JobKind:
    """Keep the outbox to the system parameter `event_retention_hours` (read each round): a
    periodic job, so one worker prunes per round however many run."""

    async def prune(job: JobContext) -> None:
        deleted = await retention.prune_expired(job.db, _retention_hours, job.now)
        if deleted:
            log.info("pruned %d outbox events past the retention", deleted)

    return JobKind(
        OUTBOX_PRUNE_KIND, prune, max_attempts=3, every_seconds=settings.outbox_prune_seconds
    )


def _job_kinds(settings: Settings, imports: importer.ImportRunner, extra) -> list[JobKind]:
    """Every job kind, registered here and only here (no import side effects)."""
    kinds = [imports.job_kind(), *extra]
    if settings.run_background_tasks:
        kinds.append(_outbox_prune_kind(settings))
    return kinds


def create_app(settings: Settings, job_kinds: Iterable[JobKind] = ()) -> FastAPI:
    """The application. Its resources are built in the lifespan and stopped on shutdown;
    routes get them through `agentdesk.resources` (`Db`, `AppClock`, …). `job_kinds` adds
    kinds beside the built-in ones (tests)."""
    extra_kinds = list(job_kinds)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        clock = Clock()
        keys = data_keyring(settings.secret_key, settings.key_material)
        db = Database(settings.database_url)
        bus = make_bus(settings.bus_url)
        hub = StreamHub(
            db,
            poll_seconds=settings.stream_poll_seconds,
            send_timeout=settings.stream_send_timeout_seconds,
            max_backlog=settings.stream_max_backlog,
        )
        follows = _StateClock(app.state)
        imports = importer.ImportRunner(db, keys, follows)
        jobs = JobRunner(
            db,
            JobRegistry(_job_kinds(settings, imports, extra_kinds)),
            follows.now,
            poll_seconds=settings.job_poll_seconds,
            concurrency=settings.job_concurrency,
        )
        db.after_commit_hooks.append(bus.publish)
        bus.subscribe(hub.on_bus)
        app.state.clock, app.state.keys, app.state.db = clock, keys, db
        app.state.bus, app.state.hub = bus, hub
        app.state.imports, app.state.jobs = imports, jobs
        await bus.start()
        await hub.start()
        await importer.start_up(imports, settings.data_dir)
        await jobs.start()
        background = []
        if settings.run_background_tasks:
            from agentdesk.telephony.runner import start_background

            background = await start_background(app)
        background.append(start_sampler(app))
        try:
            yield
        finally:
            # Jobs and timers first and awaited: a claimed timer rolls back and another worker
            # takes it; a running job is handed back (an import rolls back, marked failed).
            await jobs.stop()
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

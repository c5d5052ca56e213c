"""The application factory: `create_app(settings)` wires engines, bus, hub and routers."""

import logging
from contextlib import asynccontextmanager
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.responses import Response

from agentdesk.auth.deps import CSRF_COOKIE
from agentdesk.auth.service import SessionSigner
from agentdesk.config import Settings
from agentdesk.kit.clock import Clock
from agentdesk.kit.errors import DomainError, TooManyRequests, Unauthorized, ValidationFailed
from agentdesk.kit.validation import field_errors_from_pydantic
from agentdesk.realtime.bus import make_bus
from agentdesk.realtime.hub import StreamHub
from agentdesk.routes import include_routers
from agentdesk.storage.database import Database
from agentdesk.web import STATIC_DIR

log = logging.getLogger(__name__)


def _error_body(exc: DomainError) -> dict:
    body = {"detail": exc.message, "code": exc.code}
    if isinstance(exc, ValidationFailed):
        body["errors"] = [e.as_dict() for e in exc.errors]
    if isinstance(exc, TooManyRequests):
        body["retry_after"] = exc.retry_after
    return body


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


async def _domain_error(request: Request, exc: DomainError):
    if isinstance(exc, Unauthorized) and _wants_html(request):
        return RedirectResponse(
            f"/login?{urlencode({'next': _here(request)}, safe='/')}", status_code=303
        )
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    return JSONResponse(_error_body(exc), status_code=exc.status_code, headers=headers)


def _here(request: Request) -> str:
    """The path and query to come back to after logging in (checked again by /login)."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


async def _request_validation_error(request: Request, exc: RequestValidationError):
    failed = ValidationFailed(field_errors_from_pydantic(exc.errors()))
    return JSONResponse(_error_body(failed), status_code=422)


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
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        db = Database(settings.database_url)
        bus = make_bus(settings.bus_url)
        hub = StreamHub(db, poll_seconds=settings.stream_poll_seconds)
        db.after_commit_hooks.append(bus.publish)
        bus.subscribe(hub.on_bus)
        app.state.db, app.state.bus, app.state.hub = db, bus, hub
        await bus.start()
        await hub.start()
        background = []
        if settings.run_background_tasks:
            from agentdesk.telephony.runner import start_background

            background = await start_background(app)
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await hub.stop()
            await bus.stop()
            await db.dispose()

    app = FastAPI(title="agentdesk", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.clock = Clock()
    app.state.signer = SessionSigner(settings.secret_key)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    include_routers(app)
    return app

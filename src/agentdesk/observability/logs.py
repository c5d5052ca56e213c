"""Structured logs: one JSON object per line, with the request id, tenant and callid.

A plain ASGI middleware gives every HTTP request and WebSocket a request id (the client's
`X-Request-ID` when it is a sane token, else a fresh one, echoed in the answer) and writes one
access line when the request ends. Anything logged while the request runs carries the same id;
routes add the tenant and the callid with `bind()`.

What is never written: query strings (tokens and numbers travel there), headers, bodies, form
fields. Log messages elsewhere already keep to ids, statuses and redacted URLs; the formatter
only adds the fields below, so a secret cannot reach a log line through it.
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from starlette.datastructures import MutableHeaders

# The documented fields of a line; `extra=` keys beyond these are ignored, not logged.
FIELDS = ("ts", "level", "logger", "msg", "pid", "request_id", "tenant", "callid")
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "client")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_context: ContextVar[dict | None] = ContextVar("agentdesk_log_context", default=None)
access_log = logging.getLogger("agentdesk.access")


def bind(**fields) -> None:
    """Attach fields (tenant, callid) to every log line of the current request."""
    current = _context.get()
    if current is not None:
        current.update({k: v for k, v in fields.items() if v is not None})


def current() -> dict:
    return dict(_context.get() or {})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: the documented fields, the exception text if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
            **(_context.get() or {}),
        }
        for name in ACCESS_FIELDS:
            if name in record.__dict__:
                line[name] = record.__dict__[name]
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For development: readable lines, with the request id and callid when there are some."""

    def format(self, record: logging.LogRecord) -> str:
        context = _context.get() or {}
        tags = " ".join(
            f"{k}={context[k]}" for k in ("request_id", "tenant", "callid") if k in context
        )
        text = super().format(record)
        return f"{text} [{tags}]" if tags else text


DB_DRIVER_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine")


def log_config(fmt: str, level: str = "INFO") -> dict:
    """A `logging.config.dictConfig` for uvicorn and the app: JSON or text on stderr."""
    formatter = (
        {"()": "agentdesk.observability.logs.JsonFormatter"}
        if fmt == "json"
        else {
            "()": "agentdesk.observability.logs.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        }
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            # Our access line replaces uvicorn's (which has the query string in it).
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            "uvicorn.error": {"level": level},
            # Its request lines carry full URLs (query strings) of outbound calls.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
            # Database drivers' debug output shows query parameters: PINs an IVR flow is
            # still holding, search values, index values (as the CLI does too).
            **{driver: {"level": "WARNING"} for driver in DB_DRIVER_LOGGERS},
        },
    }


def _request_id(scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if _REQUEST_ID.match(text):
                return text
    return uuid.uuid4().hex[:16]


def _tenant_of(scope) -> int | None:
    principal = (scope.get("state") or {}).get("principal")
    return getattr(principal, "tenant_id", None)


class RequestLogging:
    """Request id in, `X-Request-ID` out, one access line per request or WebSocket session."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        context = {"request_id": _request_id(scope)}
        token = _context.set(context)
        started, status = time.perf_counter(), [101 if scope["type"] == "websocket" else 500]

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                MutableHeaders(scope=message).append("x-request-id", context["request_id"])
            elif message["type"] == "websocket.close":
                status[0] = message.get("code", 1000)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._access(scope, context, status[0], started)
            _context.reset(token)

    @staticmethod
    def _access(scope, context: dict, status: int, started: float) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        callid = (scope.get("path_params") or {}).get("callid")
        bind(tenant=_tenant_of(scope), callid=callid)
        extra = {
            "method": scope.get("method", "WS"),
            "path": scope.get("path", ""),
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "client": (scope.get("client") or ("", 0))[0],
        }
        access_log.info("%s %s %s", extra["method"], extra["path"], status, extra=extra)

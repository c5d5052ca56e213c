"""The API documentation pages (/docs, /redoc), each with a policy fitted to what it loads.

FastAPI's pages load Swagger UI / ReDoc from a CDN and start them with an inline script, which
our pages' policy (csp.py) would block. Rather than allowing inline scripts, the policy is
derived from the page FastAPI generated: its inline scripts by hash, and the origins its
`src`/`href` attributes name. Styles may be inline: both UIs inject them at run time, and a
style cannot run script.
"""

import base64
import hashlib
import re

from fastapi import APIRouter, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

OAUTH2_REDIRECT = "/docs/oauth2-redirect"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_ORIGIN = re.compile(r'(?:src|href)="(https://[A-Za-z0-9.-]+)[/"]')


def _digest(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def docs_policy(html: str) -> str:
    """A CSP for one generated documentation page."""
    hashes = [f"'sha256-{_digest(body)}'" for body in _INLINE_SCRIPT.findall(html)]
    origins = sorted(set(_ORIGIN.findall(html)))
    hosts = " ".join(["'self'", *origins])
    directives = {
        "default-src": "'self'",
        "script-src": " ".join([hosts, *hashes]),
        "style-src": f"{hosts} 'unsafe-inline'",
        "img-src": f"{hosts} data:",
        "font-src": f"{hosts} data:",
        "connect-src": "'self'",
        "worker-src": "'self' blob:",
        "form-action": "'self'",
        "frame-ancestors": "'self'",
        "base-uri": "'none'",
        "object-src": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _with_policy(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = docs_policy(page.body.decode())
    return page


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui(request: Request) -> HTMLResponse:
    return _with_policy(
        get_swagger_ui_html(
            openapi_url=request.app.openapi_url,
            title=f"{request.app.title} - Swagger UI",
            oauth2_redirect_url=OAUTH2_REDIRECT,
        )
    )


@router.get(OAUTH2_REDIRECT, response_class=HTMLResponse)
async def swagger_ui_redirect() -> HTMLResponse:
    return _with_policy(get_swagger_ui_oauth2_redirect_html())


@router.get("/redoc", response_class=HTMLResponse)
async def redoc(request: Request) -> HTMLResponse:
    return _with_policy(
        get_redoc_html(
            openapi_url=request.app.openapi_url,
            title=f"{request.app.title} - ReDoc",
            with_google_fonts=False,  # its fonts would come from yet another origin
        )
    )

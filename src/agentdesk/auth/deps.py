"""FastAPI dependencies: who is calling, CSRF for cookie sessions, permission checks."""

import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from agentdesk.auth import service
from agentdesk.auth.permissions import CONFIG_MANAGE, PLATFORM_MANAGE, USERS_MANAGE
from agentdesk.auth.principal import Principal
from agentdesk.kit.errors import Forbidden, Unauthorized

SESSION_COOKIE = "agentdesk_session"
CSRF_COOKIE = "agentdesk_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def csrf_token_for(request: Request) -> str:
    """The double-submit token: reuse the browser's cookie or mint one (set by middleware)."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(24)
        request.state.new_csrf = token
    return token


def check_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not secrets.compare_digest(cookie, header):
        raise Forbidden("missing or wrong CSRF token (send the X-CSRF-Token header)", code="csrf")


async def optional_principal(request: Request) -> Principal | None:
    if hasattr(request.state, "principal"):
        return request.state.principal
    db, now = request.app.state.db, request.app.state.clock.now()
    principal = None
    auth = request.headers.get("authorization", "")
    async with db.reader() as session:
        if auth.lower().startswith("bearer "):
            found = await service.token_in_use(session, auth[7:].strip(), now)
            if found is None:
                raise Unauthorized("invalid, expired or revoked API token")
            principal, token = found
        elif cookie := request.cookies.get(SESSION_COOKIE):
            principal = await service.principal_from_session(
                session, request.app.state.signer, cookie, now
            )
            if principal is not None:
                check_csrf(request)
    if principal is not None and principal.via_token and service.needs_touch(token, now):
        async with db.transaction() as session:
            await service.touch_api_token(session, token.id, now)
    request.state.principal = principal
    return principal


async def current_principal(
    principal: Principal | None = Depends(optional_principal),
) -> Principal:
    if principal is None:
        raise Unauthorized("log in first")
    return principal


def require(permission: str):
    """Dependency factory: the caller must hold `permission`."""

    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        principal.require(permission)
        return principal

    return dependency


def require_tenant(permission: str):
    """Like `require`, for tenant-scoped routes: returns the principal, which has a tenant."""

    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        principal.require(permission)
        principal.require_tenant()
        return principal

    return dependency


# The principals routes ask for, as types: `principal: TenantAdmin` instead of
# `principal: Principal = Depends(require_tenant(CONFIG_MANAGE))`.
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
TenantAdmin = Annotated[Principal, Depends(require_tenant(CONFIG_MANAGE))]
UserManager = Annotated[Principal, Depends(require_tenant(USERS_MANAGE))]
OpsAdmin = Annotated[Principal, Depends(require(PLATFORM_MANAGE))]


def signer_of(connection: HTTPConnection) -> service.SessionSigner:
    return connection.app.state.signer


AppSigner = Annotated[service.SessionSigner, Depends(signer_of)]

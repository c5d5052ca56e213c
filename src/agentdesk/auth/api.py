"""Login, logout, who-am-I and API tokens."""

from fastapi import APIRouter, Depends, Request, Response

from agentdesk.auth import service
from agentdesk.auth.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    csrf_token_for,
    current_principal,
)
from agentdesk.auth.models import User
from agentdesk.auth.principal import Principal
from agentdesk.auth.schemas import LoginRequest, PrincipalRead, TokenCreate, TokenCreated

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _principal_read(principal: Principal) -> PrincipalRead:
    return PrincipalRead(
        user_id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        tenant_id=principal.tenant_id,
        role=principal.role,
        permissions=sorted(principal.permissions),
    )


def _secure(request: Request) -> bool:
    return request.app.state.settings.origin.startswith("https://")


@router.post("/login", response_model=PrincipalRead)
async def login(body: LoginRequest, request: Request, response: Response) -> PrincipalRead:
    """Log in with a business account; sets an HttpOnly, SameSite session cookie."""
    check_csrf(request)
    async with request.app.state.db.reader() as session:
        user = await service.authenticate(session, body.username, body.password)
        principal = await service.principal_for(session, user)
    response.set_cookie(
        SESSION_COOKIE,
        request.app.state.signer.dumps(user),
        max_age=service.SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    return _principal_read(principal)


@router.post("/logout", status_code=204)
async def logout(request: Request, response: Response) -> None:
    """Forget the session cookie."""
    check_csrf(request)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=PrincipalRead)
async def me(principal: Principal = Depends(current_principal)) -> PrincipalRead:
    """Who am I, and what may I do."""
    return _principal_read(principal)


@router.get("/csrf")
async def csrf(request: Request) -> dict:
    """The CSRF token a script must echo in X-CSRF-Token (also set as a cookie)."""
    return {"csrf_token": csrf_token_for(request), "cookie": CSRF_COOKIE}


@router.post("/tokens", response_model=TokenCreated, status_code=201)
async def create_token(
    body: TokenCreate, request: Request, principal: Principal = Depends(current_principal)
) -> TokenCreated:
    """Create an API token for the REST API (shown once; only its hash is kept)."""
    async with request.app.state.db.transaction() as session:
        user = await session.get(User, principal.user_id)
        token = await service.create_api_token(session, user, body.name)
    return TokenCreated(name=body.name, token=token)

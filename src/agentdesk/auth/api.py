"""Login, logout, password change, who-am-I and API tokens."""

import logging
import secrets

from fastapi import APIRouter, Depends, Path, Request, Response

from agentdesk.auth import service, throttle
from agentdesk.auth.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    AppSigner,
    check_csrf,
    csrf_token_for,
    current_principal,
)
from agentdesk.auth.models import ApiToken, User
from agentdesk.auth.passwords import hash_password_async, password_errors
from agentdesk.auth.principal import Principal
from agentdesk.auth.schemas import (
    LoginRequest,
    LoginResult,
    LogoutRequest,
    PasswordChange,
    PrincipalRead,
    TokenCreate,
    TokenCreated,
    TokenList,
    TokenRead,
)
from agentdesk.kit.errors import Unauthorized, ValidationFailed
from agentdesk.resources import AppClock, Db

router = APIRouter(prefix="/api/auth", tags=["auth"])
log = logging.getLogger(__name__)


def _principal_read(principal: Principal) -> dict:
    return dict(
        user_id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        tenant_id=principal.tenant_id,
        role=principal.role,
        permissions=sorted(principal.permissions),
    )


def _secure(request: Request) -> bool:
    return request.app.state.settings.origin.startswith("https://")


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _rotate_csrf(request: Request) -> str:
    """A fresh CSRF token (set as the cookie by the middleware): none from before survives."""
    token = secrets.token_urlsafe(24)
    request.state.new_csrf = token
    return token


def _set_session_cookie(request: Request, response: Response, cookie: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=service.SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


async def _checked_login(request: Request, username: str, password: str) -> User:
    """The user, if the password is right and neither account nor address must wait."""
    db, now, address = request.app.state.db, request.app.state.clock.now(), _address(request)
    async with db.transaction() as session:
        await throttle.check(session, username, address, now)
        await throttle.record(session, username, address, now)
    async with db.reader() as session:
        try:
            user = await service.authenticate(session, username, password)
        except Unauthorized:
            log.warning(
                "login failed: account=%r address=%s", throttle.account_key(username), address
            )
            raise
    async with db.transaction() as session:
        await throttle.succeeded(session, username)
    return user


@router.post("/login", response_model=LoginResult)
async def login(
    body: LoginRequest,
    request: Request,
    db: Db,
    clock: AppClock,
    signer: AppSigner,
    response: Response,
) -> LoginResult:
    """Log in with a business account; sets an HttpOnly, SameSite session cookie.

    Failed attempts are throttled per account and per address (429 with Retry-After)."""
    check_csrf(request)
    user = await _checked_login(request, body.username, body.password)
    async with db.transaction() as session:
        cookie = await service.create_session(session, signer, user, clock.now())
        principal = await service.principal_for(session, user)
    _set_session_cookie(request, response, cookie)
    return LoginResult(**_principal_read(principal), csrf_token=_rotate_csrf(request))


@router.post("/logout", status_code=204)
async def logout(
    request: Request,
    db: Db,
    clock: AppClock,
    signer: AppSigner,
    response: Response,
    body: LogoutRequest | None = None,
) -> None:
    """Log out: every session and API token of the user ends (issue 8.4); with
    `{"everywhere": false}` only this session."""
    check_csrf(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        async with db.transaction() as session:
            user_id = await service.end_session(session, signer, cookie)
            if user_id is not None and (body is None or body.everywhere):
                await service.end_everything(session, user_id, clock.now())
    response.delete_cookie(SESSION_COOKIE, path="/")
    _rotate_csrf(request)


@router.post("/password", status_code=204)
async def change_password(
    body: PasswordChange,
    request: Request,
    db: Db,
    clock: AppClock,
    signer: AppSigner,
    response: Response,
    principal: Principal = Depends(current_principal),
) -> None:
    """Change your own password: every session and API token ends; this browser gets a new
    session."""
    errors = password_errors(body.new_password, principal.username, "new_password")
    if errors:
        raise ValidationFailed(errors)
    try:
        await _checked_login(request, principal.username, body.current_password)
    except Unauthorized as exc:
        raise ValidationFailed.single("current_password", "wrong", "wrong password") from exc
    new_hash = await hash_password_async(body.new_password)
    db, now = db, clock.now()
    async with db.transaction() as session:
        user = await session.get(User, principal.user_id)
        await service.set_password(session, user, new_hash, now)
        if not principal.via_token:
            cookie = await service.create_session(session, signer, user, now)
    if not principal.via_token:
        _set_session_cookie(request, response, cookie)
        _rotate_csrf(request)


@router.get("/me", response_model=PrincipalRead)
async def me(principal: Principal = Depends(current_principal)) -> PrincipalRead:
    """Who am I, and what may I do."""
    return PrincipalRead(**_principal_read(principal))


@router.get("/csrf")
async def csrf(request: Request) -> dict:
    """The CSRF token a script must echo in X-CSRF-Token (also set as a cookie)."""
    return {"csrf_token": csrf_token_for(request), "cookie": CSRF_COOKIE}


def _token_read(row: ApiToken, now, model=TokenRead, **extra):
    if row.revoked_at is not None:
        status = "revoked"
    elif row.expires_at <= now:
        status = "expired"
    else:
        status = "active"
    fields = {name: getattr(row, name) for name in TokenRead.model_fields if name != "status"}
    return model(**fields, status=status, **extra)


@router.get("/tokens", response_model=TokenList)
async def list_tokens(
    db: Db, clock: AppClock, principal: Principal = Depends(current_principal)
) -> TokenList:
    """Your API tokens, newest first: created, expires, last used, revoked."""
    now = clock.now()
    async with db.reader() as session:
        rows = await service.list_api_tokens(session, principal.user_id)
    return TokenList(items=[_token_read(r, now) for r in rows], total=len(rows))


@router.post("/tokens", response_model=TokenCreated, status_code=201)
async def create_token(
    body: TokenCreate, db: Db, clock: AppClock, principal: Principal = Depends(current_principal)
) -> TokenCreated:
    """Create an API token for the REST API (shown once; only its hash is kept)."""
    now = clock.now()
    async with db.transaction() as session:
        user = await session.get(User, principal.user_id)
        row = await service.create_api_token_row(
            session, user, body.name, days=body.expires_in_days, now=now
        )
    return _token_read(row, now, TokenCreated, token=row.token)


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_token(
    db: Db,
    clock: AppClock,
    token_id: int = Path(ge=1, le=2**63 - 1),
    principal: Principal = Depends(current_principal),
) -> Response:
    """Revoke one of your API tokens; it stops working at once."""
    now = clock.now()
    async with db.transaction() as session:
        await service.revoke_api_token(session, principal.user_id, token_id, now)
    return Response(status_code=204)

"""Authentication: passwords, server-side sessions, API tokens, principals.

A session cookie is a signed random key; the session row holds its SHA-256. Logging out deletes
the row, so a copied cookie dies with it. Changing or resetting a password and deactivating an
account end every session and revoke every API token of the user (`end_everything`).
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.auth.models import ApiToken, Role, User, UserSession
from agentdesk.auth.passwords import hash_password, hash_password_async, verify_password_async
from agentdesk.auth.permissions import BUILTIN_ROLES, TENANT_PERMISSIONS
from agentdesk.auth.principal import Principal
from agentdesk.kit.clock import Clock
from agentdesk.kit.errors import NotFound, Unauthorized
from agentdesk.kit.ids import new_token

SESSION_MAX_AGE = 12 * 3600
TOKEN_PREFIX = "adk_"
TOKEN_DAYS = 90  # default lifetime of an API token (and of tokens carried over by 0002)
TOKEN_MAX_DAYS = 365
# Marking a token as used costs a write: do it at most this often per token.
TOKEN_TOUCH_SECONDS = 60


def _utcnow() -> datetime:
    return Clock().now()


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class SessionSigner:
    """Signs the session key, so a forged cookie is refused before the database is asked."""

    def __init__(self, secret_key: str):
        self._serializer = URLSafeTimedSerializer(secret_key, salt="agentdesk-session-key")

    def dumps(self, key: str) -> str:
        return self._serializer.dumps(key)

    def loads(self, value: str) -> str | None:
        try:
            key = self._serializer.loads(value, max_age=SESSION_MAX_AGE)
        except (BadSignature, ValueError, TypeError):
            return None
        return key if isinstance(key, str) else None


# ---------------------------------------------------------------- logging in


async def authenticate(session: AsyncSession, username: str, password: str) -> User:
    """The active user with this username and password (argon2 runs off the event loop)."""
    user = await session.scalar(select(User).where(User.username == username))
    # Verify against a dummy hash when the user is unknown so timing does not reveal it.
    stored = user.password_hash if user else _DUMMY_HASH
    if not await verify_password_async(stored, password) or user is None or not user.active:
        raise Unauthorized("wrong username or password")
    return user


_DUMMY_HASH = hash_password("not-a-real-password")


async def principal_for(session: AsyncSession, user: User, via_token: bool = False) -> Principal:
    permissions = BUILTIN_ROLES.get(user.role, frozenset())
    if user.custom_role_id is not None:
        role = await session.get(Role, user.custom_role_id)
        if role is not None and role.tenant_id == user.tenant_id:
            extra = {p for p in role.permissions if p in TENANT_PERMISSIONS}
            permissions = permissions | frozenset(extra)
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name or user.username,
        tenant_id=user.tenant_id,
        role=user.role,
        permissions=frozenset(permissions),
        via_token=via_token,
    )


# ---------------------------------------------------------------- sessions


async def create_session(
    session: AsyncSession, signer: SessionSigner, user: User, now: datetime | None = None
) -> str:
    """Start a browser session for `user`; returns the cookie value."""
    now = now or _utcnow()
    # The user's expired sessions go now: rows never outlive their use by long.
    await session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now)
    )
    key = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            user_id=user.id,
            key_hash=_sha256(key),
            created_at=now,
            expires_at=now + timedelta(seconds=SESSION_MAX_AGE),
        )
    )
    await session.flush()
    return signer.dumps(key)


async def _session_row(
    session: AsyncSession, signer: SessionSigner, cookie: str
) -> UserSession | None:
    key = signer.loads(cookie)
    if key is None:
        return None
    return await session.scalar(select(UserSession).where(UserSession.key_hash == _sha256(key)))


async def principal_from_session(
    session: AsyncSession, signer: SessionSigner, cookie: str, now: datetime | None = None
) -> Principal | None:
    row = await _session_row(session, signer, cookie)
    if row is None or row.expires_at <= (now or _utcnow()):
        return None
    user = await session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return await principal_for(session, user)


async def session_alive(session: AsyncSession, signer: SessionSigner, cookie: str) -> bool:
    """Whether this cookie's session still exists, unexpired, for an active user."""
    return await principal_from_session(session, signer, cookie) is not None


async def end_session(session: AsyncSession, signer: SessionSigner, cookie: str) -> int | None:
    """Log this cookie's session out; returns its user's id (None: no such session)."""
    row = await _session_row(session, signer, cookie)
    if row is None:
        return None
    await session.delete(row)
    await session.flush()
    return row.user_id


async def end_everything(session: AsyncSession, user_id: int, now: datetime | None = None) -> None:
    """End every session and revoke every API token of the user."""
    await session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    await session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or _utcnow())
    )
    user = await session.get(User, user_id)
    if user is not None:
        user.session_version += 1
    await session.flush()


async def set_password(
    session: AsyncSession, user: User, password_hash: str, now: datetime | None = None
) -> None:
    """Store a new password hash; every session and API token of the user ends."""
    user.password_hash = password_hash
    await end_everything(session, user.id, now)


# ---------------------------------------------------------------- API tokens


async def create_api_token(
    session: AsyncSession,
    user: User,
    name: str,
    *,
    days: int = TOKEN_DAYS,
    now: datetime | None = None,
) -> str:
    """Create a token; only its hash is stored, so the caller must show it once."""
    row = await create_api_token_row(session, user, name, days=days, now=now)
    return row.token


async def create_api_token_row(
    session: AsyncSession, user: User, name: str, *, days: int, now: datetime | None = None
) -> ApiToken:
    """Like `create_api_token`, returning the row with the clear token in `row.token`."""
    now = now or _utcnow()
    token = new_token(TOKEN_PREFIX)
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_sha256(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    await session.flush()
    row.token = token  # not a column: lives only in this response
    return row


async def list_api_tokens(session: AsyncSession, user_id: int) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too, marked as such)."""
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(await session.scalars(stmt))


async def revoke_api_token(
    session: AsyncSession, user_id: int, token_id: int, now: datetime | None = None
) -> ApiToken:
    """Revoke one of the user's own tokens (404 for anyone else's)."""
    row = await session.get(ApiToken, token_id)
    if row is None or row.user_id != user_id:
        raise NotFound(f"no API token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now or _utcnow()
        await session.flush()
    return row


async def token_in_use(
    session: AsyncSession, token: str, now: datetime | None = None
) -> tuple[Principal, ApiToken] | None:
    """The principal of a valid (known, unexpired, unrevoked) token, with its row."""
    now = now or _utcnow()
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = await session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return await principal_for(session, user, via_token=True), row


async def principal_from_token(
    session: AsyncSession, token: str, now: datetime | None = None
) -> Principal | None:
    found = await token_in_use(session, token, now)
    return found[0] if found else None


def needs_touch(row: ApiToken, now: datetime) -> bool:
    last = row.last_used_at
    return last is None or (now - last).total_seconds() >= TOKEN_TOUCH_SECONDS


async def touch_api_token(session: AsyncSession, token_id: int, now: datetime) -> None:
    """Record that the token was used (at most once a minute, see `needs_touch`)."""
    await session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


# ---------------------------------------------------------------- users


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    role: str,
    tenant_id: int | None,
    display_name: str = "",
    custom_role_id: int | None = None,
) -> User:
    user = User(
        username=username,
        password_hash=await hash_password_async(password),
        role=role,
        tenant_id=tenant_id,
        display_name=display_name,
        custom_role_id=custom_role_id,
    )
    session.add(user)
    await session.flush()
    return user

"""Authentication: passwords, signed session cookies, API tokens, principals."""

import hashlib
from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.auth.models import ApiToken, Role, User
from agentdesk.auth.passwords import hash_password, verify_password
from agentdesk.auth.permissions import BUILTIN_ROLES, TENANT_PERMISSIONS
from agentdesk.auth.principal import Principal
from agentdesk.kit.errors import Unauthorized
from agentdesk.kit.ids import new_token

SESSION_MAX_AGE = 12 * 3600
TOKEN_PREFIX = "adk_"


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class SessionSigner:
    def __init__(self, secret_key: str):
        self._serializer = URLSafeTimedSerializer(secret_key, salt="agentdesk-session")

    def dumps(self, user: User) -> str:
        return self._serializer.dumps([user.id, user.session_version])

    def loads(self, value: str) -> tuple[int, int] | None:
        try:
            user_id, version = self._serializer.loads(value, max_age=SESSION_MAX_AGE)
            return int(user_id), int(version)
        except (BadSignature, ValueError, TypeError):
            return None


async def authenticate(session: AsyncSession, username: str, password: str) -> User:
    user = await session.scalar(select(User).where(User.username == username))
    # Verify against a dummy hash when the user is unknown so timing does not reveal it.
    stored = user.password_hash if user else _DUMMY_HASH
    if not verify_password(stored, password) or user is None or not user.active:
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


async def principal_from_session(
    session: AsyncSession, signer: SessionSigner, cookie: str
) -> Principal | None:
    decoded = signer.loads(cookie)
    if decoded is None:
        return None
    user = await session.get(User, decoded[0])
    if user is None or not user.active or user.session_version != decoded[1]:
        return None
    return await principal_for(session, user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_api_token(session: AsyncSession, user: User, name: str) -> str:
    """Create a token; only its hash is stored, so the caller must show it once."""
    token = new_token(TOKEN_PREFIX)
    session.add(
        ApiToken(user_id=user.id, name=name, token_hash=_token_hash(token), created_at=_utcnow())
    )
    return token


async def principal_from_token(session: AsyncSession, token: str) -> Principal | None:
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None:
        return None
    user = await session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return await principal_for(session, user, via_token=True)


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
        password_hash=hash_password(password),
        role=role,
        tenant_id=tenant_id,
        display_name=display_name,
        custom_role_id=custom_role_id,
    )
    session.add(user)
    await session.flush()
    return user

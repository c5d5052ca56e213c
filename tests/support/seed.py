"""Build test data through the same services the application uses."""

import asyncio

from agentdesk.auth.service import create_api_token, create_user
from agentdesk.storage.database import Database
from agentdesk.tenancy.models import Tenant


async def _with_db(url: str, func):
    db = Database(url)
    try:
        async with db.transaction() as session:
            return await func(session)
    finally:
        await db.dispose()


def run(url: str, func):
    """Run `func(session)` in one committed transaction on a fresh engine."""
    return asyncio.run(_with_db(url, func))


def ops_admin(url: str, username: str = "ops", password: str = "ops-pass-1") -> str:
    async def make(session):
        user = await create_user(
            session, username=username, password=password, role="ops_admin", tenant_id=None
        )
        return await create_api_token(session, user, "test")

    return run(url, make)


def tenant_with_admin(url: str, code: str = "acme", password: str = "admin-pass-1") -> dict:
    async def make(session):
        tenant = Tenant(
            code=code,
            name=code.title(),
            licence_audio=10,
            licence_video=10,
            licence_multimedia=10,
            licence_allround=10,
            licence_intelligent=2,
        )
        session.add(tenant)
        await session.flush()
        user = await create_user(
            session,
            username=f"admin@{code}",
            password=password,
            role="tenant_admin",
            tenant_id=tenant.id,
        )
        token = await create_api_token(session, user, "test")
        return {"tenant_id": tenant.id, "username": user.username, "token": token}

    return run(url, make)

"""Queries over a tenant's business accounts and roles."""

from sqlalchemy import select

from agentdesk.auth.models import Role, User
from agentdesk.storage.repository import TenantRepository


class UserRepository(TenantRepository[User]):
    model = User
    label = "business account"

    async def by_username(self, username: str) -> User | None:
        """Any tenant's account: usernames are unique on the whole platform."""
        return await self.session.scalar(select(User).where(User.username == username))


class RoleRepository(TenantRepository[Role]):
    model = Role
    label = "role"

    async def by_name(self, name: str) -> Role | None:
        return await self.find(Role.name == name)

    async def holders(self, role_id: int) -> list[str]:
        """Usernames of the tenant's accounts that have this role."""
        stmt = (
            select(User.username)
            .where(User.tenant_id == self.tenant_id, User.custom_role_id == role_id)
            .order_by(User.username)
        )
        return list(await self.session.scalars(stmt))

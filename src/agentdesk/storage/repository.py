"""Tenant-scoped repository base: every query of a tenant-owned table filters on tenant_id."""

from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.kit.errors import NotFound

M = TypeVar("M")


class TenantRepository(Generic[M]):
    model: type[M]
    label = "record"

    def __init__(self, session: AsyncSession, tenant_id: int):
        self.session = session
        self.tenant_id = tenant_id

    def query(self) -> Select:
        return select(self.model).where(self.model.tenant_id == self.tenant_id)

    async def get(self, id_: int, *, for_update: bool = False) -> M:
        stmt = self.query().where(self.model.id == id_)
        if for_update:
            stmt = stmt.with_for_update()
        obj = (await self.session.execute(stmt)).scalar_one_or_none()
        if obj is None:
            raise NotFound(f"{self.label} {id_} not found")
        return obj

    async def find(self, *conditions: Any) -> M | None:
        stmt = self.query().where(*conditions)
        return (await self.session.execute(stmt)).scalars().first()

    async def list(
        self, *conditions: Any, order_by: Any = None, limit: int | None = None, offset: int = 0
    ) -> list[M]:
        stmt = self.query().where(*conditions).order_by(order_by or self.model.id)
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        return list((await self.session.execute(stmt)).scalars())

    async def count(self, *conditions: Any) -> int:
        stmt = (
            select(func.count())
            .select_from(self.model)
            .where(self.model.tenant_id == self.tenant_id, *conditions)
        )
        return (await self.session.execute(stmt)).scalar_one()

    def add(self, obj: M) -> M:
        obj.tenant_id = self.tenant_id
        self.session.add(obj)
        return obj

    async def delete(self, obj: M) -> None:
        await self.session.delete(obj)

"""Queries over a tenant's verification methods and records."""

from datetime import datetime

from sqlalchemy import func, select

from agentdesk.storage.repository import TenantRepository
from agentdesk.verification.models import VerificationMethod, VerificationRecord


class MethodRepository(TenantRepository[VerificationMethod]):
    model = VerificationMethod
    label = "verification method"

    async def by_code(self, code: str) -> VerificationMethod | None:
        return await self.find(VerificationMethod.code == code)

    async def by_name(self, name: str) -> VerificationMethod | None:
        return await self.find(VerificationMethod.name == name)

    async def using_flow(self, flow_id: int) -> list[VerificationMethod]:
        return await self.list(VerificationMethod.flow_id == flow_id)


class RecordRepository(TenantRepository[VerificationRecord]):
    model = VerificationRecord
    label = "verification record"

    def filtered(self, f: "RecordFilter"):
        stmt = self.query()
        conditions = f.conditions()
        return stmt.where(*conditions) if conditions else stmt

    async def page(self, f: "RecordFilter", limit: int | None, offset: int):
        stmt = self.filtered(f).order_by(
            VerificationRecord.started_at.desc(), VerificationRecord.id.desc()
        )
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        return list((await self.session.execute(stmt)).scalars())

    async def total(self, f: "RecordFilter") -> int:
        stmt = select(func.count()).select_from(self.filtered(f).subquery())
        return (await self.session.execute(stmt)).scalar_one()

    async def stream(self, f: "RecordFilter", batch: int = 500):
        stmt = self.filtered(f).order_by(VerificationRecord.started_at, VerificationRecord.id)
        result = await self.session.stream_scalars(stmt.execution_options(yield_per=batch))
        async for record in result:
            yield record


class RecordFilter:
    """The query form of 身份认证记录: time range, agent, method, result, callid."""

    def __init__(self, *, start: datetime | None = None, end: datetime | None = None,
                 work_no: str | None = None, method_code: str | None = None,
                 result: str | None = None, callid: str | None = None):  # fmt: skip
        self.start, self.end, self.work_no = start, end, work_no
        self.method_code, self.result, self.callid = method_code, result, callid

    def conditions(self) -> list:
        r = VerificationRecord
        pairs = [
            (self.start, lambda v: r.started_at >= v),
            (self.end, lambda v: r.started_at <= v),
            (self.work_no, lambda v: r.agent_work_no == v),
            (self.method_code, lambda v: r.method_code == v),
            (self.result, lambda v: r.result == v),
            (self.callid, lambda v: r.callid == v),
        ]
        return [make(value) for value, make in pairs if value not in (None, "")]

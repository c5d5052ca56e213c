"""Verification methods [身份验证流程] and records [身份认证记录]. Services change rows; the
edge commits.

A method names an IVR flow of the tenant; an enabled method needs a published flow (that is
what the agent's 身份验证 control starts). Records are written by the runtime: `start_record`
when the customer enters the flow, `end_record` when it ends, with the parsed answer; they
never hold the digits the customer typed.
"""

from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.ivr import service as flows
from agentdesk.kit.errors import FieldError, NotFound, ValidationFailed
from agentdesk.verification.answer import VerifyAnswer
from agentdesk.verification.models import VerificationMethod, VerificationRecord
from agentdesk.verification.repository import MethodRepository, RecordFilter, RecordRepository
from agentdesk.verification.schemas import MethodWrite

RESULT_LABELS = {"0": ("未返回", "not returned"), "1": ("通过", "passed"),
                 "2": ("失败", "failed"), "3": ("异常", "error")}  # fmt: skip
REASON_LABELS = {
    "completed": ("已完成", "completed"),
    "customer_hung_up": ("客户挂机", "customer hung up"),
    "cancelled": ("座席取消", "cancelled by agent"),
    "error": ("异常", "error"),
    "": ("进行中", "in progress"),
}


async def list_methods(session: AsyncSession, tenant_id: int) -> list[VerificationMethod]:
    return await MethodRepository(session, tenant_id).list(order_by=VerificationMethod.name)


async def enabled_methods(session: AsyncSession, tenant_id: int) -> list[VerificationMethod]:
    """What the agent's 身份验证 control lists."""
    repo = MethodRepository(session, tenant_id)
    return await repo.list(VerificationMethod.enabled.is_(True), order_by=VerificationMethod.name)


async def get_method(session: AsyncSession, tenant_id: int, method_id: int) -> VerificationMethod:
    return await MethodRepository(session, tenant_id).get(method_id)


async def method_by_code(session: AsyncSession, tenant_id: int, code: str):
    return await MethodRepository(session, tenant_id).by_code(code)


async def flow_names(session: AsyncSession, tenant_id: int, methods: list) -> dict[int, str]:
    found = await flows.flows_by_id(session, tenant_id, {m.flow_id for m in methods})
    return {flow_id: flow.name for flow_id, flow in found.items()}


async def _check(repo: MethodRepository, session, data: MethodWrite, method) -> None:
    errors = []
    for field, existing in (("name", await repo.by_name(data.name)),
                            ("code", await repo.by_code(data.code))):  # fmt: skip
        if existing is not None and (method is None or existing.id != method.id):
            value = getattr(data, field)
            errors.append(FieldError(field, "unique", f"a verification method with {field} "
                                     f"{value} exists", f"已存在{'名称' if field == 'name' else '编码'}"
                                     f"为 {value} 的验证方式"))  # fmt: skip
    try:
        flow = await flows.get_flow(session, repo.tenant_id, data.flow_id)
    except NotFound:
        errors.append(FieldError("flow_id", "not_found", f"IVR flow {data.flow_id} does not "
                                 "exist in this tenant", f"本租户没有编号为 {data.flow_id} 的流程"))  # fmt: skip
    else:
        if data.enabled and flow.published is None:
            errors.append(FieldError("enabled", "not_published", f"publish IVR flow {flow.name} "
                                     "before enabling a method that uses it",
                                     f"请先发布流程 {flow.name}，再启用使用它的验证方式"))  # fmt: skip
    if errors:
        raise ValidationFailed(errors)


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent writer took the name or code first
        raise ValidationFailed([FieldError("code", "unique", "a verification method with this "
                                           "name or code exists", "验证方式名称或编码已存在")]) from exc  # fmt: skip


async def create_method(session: AsyncSession, tenant_id: int, data: MethodWrite):
    repo = MethodRepository(session, tenant_id)
    await _check(repo, session, data, None)
    method = repo.add(VerificationMethod(**data.model_dump()))
    await _flush(session)
    return method


async def update_method(session: AsyncSession, tenant_id: int, method_id: int, data: MethodWrite):
    repo = MethodRepository(session, tenant_id)
    method = await repo.get(method_id, for_update=True)
    await _check(repo, session, data, method)
    for key, value in data.model_dump().items():
        setattr(method, key, value)
    await _flush(session)
    return method


async def set_enabled(session: AsyncSession, tenant_id: int, method_id: int, enabled: bool):
    """是否启用: the toggle of the list (same rules as a full update)."""
    repo = MethodRepository(session, tenant_id)
    method = await repo.get(method_id, for_update=True)
    data = MethodWrite(name=method.name, code=method.code, flow_id=method.flow_id,
                       enabled=enabled)  # fmt: skip
    await _check(repo, session, data, method)
    method.enabled = enabled
    await session.flush()
    return method


async def delete_method(session: AsyncSession, tenant_id: int, method_id: int) -> None:
    """Delete a method; its records keep the name and code they were written with."""
    repo = MethodRepository(session, tenant_id)
    await repo.delete(await repo.get(method_id, for_update=True))
    await session.flush()


# ---- records ------------------------------------------------------------------------------


def start_record(session: AsyncSession, tenant_id: int, *, started_at: datetime, callid: str,
                 caller: str, agent_work_no: str, method: VerificationMethod) -> VerificationRecord:  # fmt: skip
    """A record of a verification that just began (result "0" until it ends)."""
    record = VerificationRecord(
        tenant_id=tenant_id, started_at=started_at, callid=callid, caller=caller,
        agent_work_no=agent_work_no, method_id=method.id, method_name=method.name,
        method_code=method.code, result="0", return1="", return2="", return3="",
        duration_seconds=0, ended_reason="",
    )  # fmt: skip
    session.add(record)
    return record


def end_record(record: VerificationRecord, *, ended_at: datetime, answer: VerifyAnswer,
               reason: str) -> None:  # fmt: skip
    """The verification is over: its answer (result "3" on any failure), how it ended."""
    record.ended_at = ended_at
    record.result = answer.result
    record.return1, record.return2, record.return3 = answer.returns
    record.duration_seconds = max(0, round((ended_at - record.started_at).total_seconds()))
    record.ended_reason = reason


async def query_records(session: AsyncSession, tenant_id: int, f: RecordFilter, *, page: int,
                        page_size: int) -> tuple[list[VerificationRecord], int]:  # fmt: skip
    repo = RecordRepository(session, tenant_id)
    items = await repo.page(f, page_size, (page - 1) * page_size)
    return items, await repo.total(f)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def export_header(lang: str) -> list[str]:
    zh = ["时间", "呼叫ID", "主叫号码", "座席工号", "验证方式名称", "验证方式编码", "验证结果",
          "返回数据1", "返回数据2", "返回数据3", "时长(秒)", "结束原因", "结束时间"]  # fmt: skip
    en = ["Time (UTC)", "Call ID", "Caller", "Agent work number", "Method name", "Method code",
          "Result", "Return 1", "Return 2", "Return 3", "Duration (s)", "Ended reason",
          "Ended (UTC)"]  # fmt: skip
    return zh if lang == "zh" else en


async def export_rows(session: AsyncSession, tenant_id: int, f: RecordFilter,
                      lang: str) -> AsyncIterator[list[str]]:  # fmt: skip
    """Every matching record as CSV cells (the writer escapes formulas)."""
    index = 0 if lang == "zh" else 1
    async for r in RecordRepository(session, tenant_id).stream(f):
        result = RESULT_LABELS.get(r.result, (r.result, r.result))[index]
        reason = REASON_LABELS.get(r.ended_reason, (r.ended_reason, r.ended_reason))[index]
        yield [_when(r.started_at), r.callid, r.caller, r.agent_work_no, r.method_name,
               r.method_code, f"{r.result} {result}", r.return1, r.return2, r.return3,
               str(r.duration_seconds), reason, _when(r.ended_at)]  # fmt: skip

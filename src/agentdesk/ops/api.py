"""The operations admin's platform API [运营管理]: tenants and their licences, access codes,
outbound numbers and system parameters. Every route needs the platform.manage permission.

Access codes and outbound numbers are one resource (`tenancy.numbers`: a number assigned to a
tenant); their two sets of routes are views over it with their own field names.

Lists answer `{"items": [...], "total": N}` and take `page`/`page_size`; updates are PATCH
bodies (fields left out keep their value); broken rules come back as 422 naming the field.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from agentdesk.auth.deps import require
from agentdesk.auth.permissions import PLATFORM_MANAGE
from agentdesk.kit.validation import Id, PageNumber
from agentdesk.ops import service as platform
from agentdesk.resources import Db
from agentdesk.tenancy import numbers
from agentdesk.tenancy import repository as repo
from agentdesk.tenancy import service as tenancy
from agentdesk.tenancy.models import Tenant
from agentdesk.tenancy.schemas import (
    AccessCodeCreate,
    AccessCodeRead,
    AccessCodeUpdate,
    AgentUsageRead,
    OutboundNumberCreate,
    OutboundNumberRead,
    OutboundNumberUpdate,
    Page,
    SystemParameterRead,
    SystemParameterUpdate,
    TenantCreate,
    TenantRead,
    TenantUpdate,
)
from agentdesk.tenancy.service import AgentUsage

router = APIRouter(
    prefix="/api/ops",
    tags=["operations"],
    dependencies=[Depends(require(PLATFORM_MANAGE))],
)


class Paging:
    """`page` (from 1) and `page_size` query parameters."""

    def __init__(
        self,
        page: Annotated[PageNumber, Query(description="page number, from 1")] = 1,
        page_size: int = Query(50, ge=1, le=500, description="items per page"),
    ):
        self.offset = (page - 1) * page_size
        self.limit = page_size

    @property
    def window(self) -> dict[str, int]:
        return {"offset": self.offset, "limit": self.limit}


def _tenant_read(tenant: Tenant, usage: AgentUsage | None = None) -> TenantRead:
    read = TenantRead.model_validate(tenant)
    read.in_use = AgentUsageRead(**(usage or AgentUsage()).as_dict())
    return read


# ---- tenants -------------------------------------------------------------------------------


@router.get("/tenants", response_model=Page[TenantRead])
async def list_tenants(db: Db, paging: Paging = Depends()) -> Page[TenantRead]:
    """Tenants by code, with their licences and the agents of each kind in use."""
    async with db.reader() as session:
        items, total = await repo.page(
            session, Tenant, order_by=Tenant.code, offset=paging.offset, limit=paging.limit
        )
        usage = await platform.agent_usage(session, [t.id for t in items])
    return Page(items=[_tenant_read(t, usage.get(t.id)) for t in items], total=total)


@router.post("/tenants", response_model=TenantRead, status_code=201)
async def create_tenant(body: TenantCreate, db: Db) -> TenantRead:
    """Open a tenant [开通租户] with its licences and, optionally, its tenant admin login."""
    async with db.transaction() as session:
        tenant = await platform.create_tenant(session, body.model_dump())
    return _tenant_read(tenant)


@router.get("/tenants/{tenant_id}", response_model=TenantRead)
async def show_tenant(tenant_id: Id, db: Db) -> TenantRead:
    """One tenant with its licences and the agents in use."""
    async with db.reader() as session:
        tenant = await tenancy.get_tenant(session, tenant_id)
        return _tenant_read(tenant, await platform.usage_of(session, tenant_id))


@router.patch("/tenants/{tenant_id}", response_model=TenantRead)
async def update_tenant(tenant_id: Id, body: TenantUpdate, db: Db) -> TenantRead:
    """Rename a tenant or change its licences (not below the agents it already has)."""
    async with db.transaction() as session:
        tenant = await platform.update_tenant(session, tenant_id, body.changes())
        usage = await platform.usage_of(session, tenant_id)
    return _tenant_read(tenant, usage)


@router.delete("/tenants/{tenant_id}", status_code=204, response_class=Response)
async def delete_tenant(tenant_id: Id, db: Db) -> Response:
    """Delete a tenant and its configuration; refused (409) while it still has agents."""
    async with db.transaction() as session:
        await platform.delete_tenant(session, tenant_id)
    return Response(status_code=204)


# ---- access codes --------------------------------------------------------------------------


@router.get("/access-codes", response_model=Page[AccessCodeRead])
async def list_access_codes(
    db: Db,
    tenant_id: Id | None = Query(None, description="only codes assigned to this tenant"),
    assigned: bool | None = Query(None, description="true: assigned codes; false: free ones"),
    paging: Paging = Depends(),
) -> Page[AccessCodeRead]:
    """Access codes [接入码] by code, with the tenant each is assigned to."""
    async with db.reader() as session:
        items, total = await numbers.page(
            session, numbers.ACCESS_CODES, tenant_id=tenant_id, assigned=assigned, **paging.window
        )
    return Page(items=[AccessCodeRead.model_validate(c) for c in items], total=total)


@router.post("/access-codes", response_model=AccessCodeRead, status_code=201)
async def create_access_code(body: AccessCodeCreate, db: Db) -> AccessCodeRead:
    """Add an access code, optionally assigned to a tenant."""
    async with db.transaction() as session:
        code = await tenancy.create_access_code(session, body.model_dump())
    return AccessCodeRead.model_validate(code)


@router.get("/access-codes/{code_id}", response_model=AccessCodeRead)
async def show_access_code(code_id: Id, db: Db) -> AccessCodeRead:
    """One access code."""
    async with db.reader() as session:
        return AccessCodeRead.model_validate(await tenancy.get_access_code(session, code_id))


@router.patch("/access-codes/{code_id}", response_model=AccessCodeRead)
async def update_access_code(code_id: Id, body: AccessCodeUpdate, db: Db) -> AccessCodeRead:
    """Change an access code; `tenant_id` assigns it, `tenant_id: null` unassigns it."""
    async with db.transaction() as session:
        code = await platform.update_access_code(session, code_id, body.changes())
    return AccessCodeRead.model_validate(code)


@router.delete("/access-codes/{code_id}", status_code=204, response_class=Response)
async def delete_access_code(code_id: Id, db: Db) -> Response:
    """Delete an access code; refused (409) while a called configuration uses it."""
    async with db.transaction() as session:
        await platform.delete_access_code(session, code_id)
    return Response(status_code=204)


# ---- outbound numbers ----------------------------------------------------------------------


@router.get("/outbound-numbers", response_model=Page[OutboundNumberRead])
async def list_outbound_numbers(
    db: Db,
    tenant_id: Id | None = Query(None, description="only numbers assigned to this tenant"),
    assigned: bool | None = Query(None, description="true: assigned numbers; false: free ones"),
    paging: Paging = Depends(),
) -> Page[OutboundNumberRead]:
    """Outbound caller numbers [外呼主叫号码], with the tenant each is assigned to."""
    async with db.reader() as session:
        items, total = await numbers.page(
            session,
            numbers.OUTBOUND_NUMBERS,
            tenant_id=tenant_id,
            assigned=assigned,
            **paging.window,
        )
    return Page(items=[OutboundNumberRead.model_validate(n) for n in items], total=total)


@router.post("/outbound-numbers", response_model=OutboundNumberRead, status_code=201)
async def create_outbound_number(body: OutboundNumberCreate, db: Db) -> OutboundNumberRead:
    """Add an outbound caller number, optionally assigned to a tenant."""
    async with db.transaction() as session:
        number = await tenancy.create_outbound_number(session, body.model_dump())
    return OutboundNumberRead.model_validate(number)


@router.get("/outbound-numbers/{number_id}", response_model=OutboundNumberRead)
async def show_outbound_number(number_id: Id, db: Db) -> OutboundNumberRead:
    """One outbound number."""
    async with db.reader() as session:
        number = await tenancy.get_outbound_number(session, number_id)
    return OutboundNumberRead.model_validate(number)


@router.patch("/outbound-numbers/{number_id}", response_model=OutboundNumberRead)
async def update_outbound_number(
    number_id: Id, body: OutboundNumberUpdate, db: Db
) -> OutboundNumberRead:
    """Change a number; `tenant_id` assigns it, `tenant_id: null` unassigns it."""
    async with db.transaction() as session:
        number = await tenancy.get_outbound_number(session, number_id, for_update=True)
        number = await tenancy.update_outbound_number(session, number, body.changes())
    return OutboundNumberRead.model_validate(number)


@router.delete("/outbound-numbers/{number_id}", status_code=204, response_class=Response)
async def delete_outbound_number(number_id: Id, db: Db) -> Response:
    """Delete an outbound number."""
    async with db.transaction() as session:
        number = await tenancy.get_outbound_number(session, number_id, for_update=True)
        await tenancy.delete_outbound_number(session, number)
    return Response(status_code=204)


# ---- system parameters -----------------------------------------------------------------------


@router.get("/system-parameters", response_model=Page[SystemParameterRead])
async def list_system_parameters(db: Db) -> Page[SystemParameterRead]:
    """Every system parameter [系统参数] with its value, default and allowed range."""
    async with db.reader() as session:
        items = await tenancy.list_parameters(session)
    return Page(items=[SystemParameterRead(**p) for p in items], total=len(items))


@router.get("/system-parameters/{key}", response_model=SystemParameterRead)
async def show_system_parameter(key: str, db: Db) -> SystemParameterRead:
    """One system parameter."""
    async with db.reader() as session:
        return SystemParameterRead(**await tenancy.get_parameter(session, key))


@router.put("/system-parameters/{key}", response_model=SystemParameterRead)
async def change_system_parameter(
    key: str, body: SystemParameterUpdate, db: Db
) -> SystemParameterRead:
    """Set a parameter's value; outside its range → 422 on `value` naming the range."""
    async with db.transaction() as session:
        param = await tenancy.change_parameter(session, key, body.value)
    return SystemParameterRead(**param)

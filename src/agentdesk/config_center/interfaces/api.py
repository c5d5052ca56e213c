"""REST API of enterprise interfaces: /api/ops/interfaces (operations admins: register, map to
tenants, test) and /api/config/interfaces (tenant admins: the names of the mapped ones)."""

from fastapi import APIRouter, Depends, Request, Response

from agentdesk.auth.deps import OpsAdmin, TenantAdmin, require
from agentdesk.auth.permissions import PLATFORM_MANAGE
from agentdesk.config_center.basetables.api import keys_of  # the application's one key ring
from agentdesk.config_center.custompages import service as custom_pages
from agentdesk.config_center.interfaces import service
from agentdesk.config_center.interfaces.caller import call_interface, failed
from agentdesk.config_center.interfaces.models import ExternalInterface
from agentdesk.config_center.interfaces.schemas import (
    InterfaceCallResult,
    InterfaceList,
    InterfaceRead,
    InterfaceTenants,
    InterfaceTestRequest,
    InterfaceWrite,
    TenantInterfaceList,
    TenantInterfaceRead,
)
from agentdesk.kit.errors import Conflict
from agentdesk.kit.messages import translate
from agentdesk.kit.validation import Id
from agentdesk.resources import AppSettings, Db
from agentdesk.web.i18n import request_language

ops_router = APIRouter(prefix="/api/ops/interfaces", tags=["operations: interfaces"])
router = APIRouter(prefix="/api/config/interfaces", tags=["config: interfaces"])
ops_admin = require(PLATFORM_MANAGE)


def _read(row: ExternalInterface, tenant_ids: list[int]) -> InterfaceRead:
    return InterfaceRead(
        id=row.id,
        name=row.name,
        description=row.description,
        url=row.url,
        timeout_ms=row.timeout_ms,
        auth_header_name=row.auth_header_name,
        auth_header_set=row.auth_header_sealed is not None,
        allow_private=row.allow_private,
        tenant_ids=tenant_ids,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _reread(request: Request, interface_id: int) -> InterfaceRead:
    async with request.app.state.db.reader() as session:
        return _read(*await service.get_interface(session, interface_id))


@ops_router.get("", response_model=InterfaceList)
async def list_interfaces(db: Db, principal: OpsAdmin):
    """Every registered interface with the tenants it is mapped to."""
    async with db.reader() as session:
        rows = await service.list_interfaces(session)
    return InterfaceList(items=[_read(row, ids) for row, ids in rows], total=len(rows))


@ops_router.post("", response_model=InterfaceRead, status_code=201)
async def create_interface(
    body: InterfaceWrite, request: Request, db: Db, principal: OpsAdmin
) -> InterfaceRead:
    """Register an interface [接口管理]."""
    async with db.transaction() as session:
        row = await service.create_interface(session, body, keys=keys_of(request))
    return await _reread(request, row.id)


@ops_router.get("/{interface_id}", response_model=InterfaceRead)
async def show_interface(interface_id: Id, request: Request, principal: OpsAdmin) -> InterfaceRead:
    return await _reread(request, interface_id)


@ops_router.put("/{interface_id}", response_model=InterfaceRead)
async def update_interface(
    interface_id: Id, body: InterfaceWrite, request: Request, db: Db, principal=Depends(ops_admin)
) -> InterfaceRead:
    """Change an interface; leave out `auth_header_value` or `tenant_ids` to keep them."""
    async with db.transaction() as session:
        await service.update_interface(session, interface_id, body, keys=keys_of(request))
    return await _reread(request, interface_id)


@ops_router.put("/{interface_id}/tenants", response_model=InterfaceRead)
async def set_tenants(
    interface_id: Id, body: InterfaceTenants, request: Request, db: Db, principal=Depends(ops_admin)
) -> InterfaceRead:
    """Map the interface to exactly these tenants [字典值映射]."""
    async with db.transaction() as session:
        await service.set_tenants(session, interface_id, body.tenant_ids)
    return await _reread(request, interface_id)


@ops_router.delete("/{interface_id}", status_code=204)
async def delete_interface(interface_id: Id, db: Db, principal=Depends(ops_admin)):
    """Delete an interface no custom page uses."""
    async with db.transaction() as session:
        row, _ = await service.get_interface(session, interface_id)
        users = await custom_pages.pages_using_interface(session, interface_id)
        if users:
            raise Conflict(
                f"interface {row.name} is used by custom pages: {', '.join(users)}",
                code="in_use",
            )
        await service.delete_interface(session, interface_id)
    return Response(status_code=204)


@ops_router.post("/{interface_id}/test", response_model=InterfaceCallResult)
async def test_interface(
    interface_id: Id,
    body: InterfaceTestRequest,
    request: Request,
    db: Db,
    settings: AppSettings,
    principal=Depends(ops_admin),
) -> InterfaceCallResult:
    """Call the interface with a sample `param`: the parsed answer, or the exact error.

    The call waits on the network, so it runs after the database session is closed."""
    secret_key = settings.secret_key
    async with db.reader() as session:
        try:
            spec = await service.spec_for_ops(
                session, interface_id, keys=keys_of(request), secret_key=secret_key
            )
        except service.InterfaceUnusable as exc:
            return _in_language(failed(exc.message).as_dict(), request)
    outcome = await call_interface(spec, body.param)
    return _in_language(outcome.as_dict(), request)


def _in_language(result: dict, request: Request) -> InterfaceCallResult:
    """The test call's result with its error in the admin's language."""
    if result.get("error"):
        result = {**result, "error": translate(result["error"], request_language(request))}
    return InterfaceCallResult(**result)


@router.get("", response_model=TenantInterfaceList)
async def list_mapped_interfaces(db: Db, principal: TenantAdmin) -> TenantInterfaceList:
    """The interfaces the operations admin mapped to this tenant (names only)."""
    async with db.reader() as session:
        rows = await service.tenant_interfaces(session, principal.tenant_id)
    items = [TenantInterfaceRead.model_validate(r) for r in rows]
    return TenantInterfaceList(items=items, total=len(items))

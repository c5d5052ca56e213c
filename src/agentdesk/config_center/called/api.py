"""REST API of access codes and called configuration [被叫配置] (tenant admins)."""

from fastapi import APIRouter, Depends, Query, Response

from agentdesk.auth.deps import TenantAdmin, require_tenant
from agentdesk.auth.permissions import CONFIG_MANAGE
from agentdesk.auth.principal import Principal
from agentdesk.config_center.called import service
from agentdesk.config_center.called.models import CalledConfig
from agentdesk.config_center.called.schemas import (
    AccessCodeList,
    AccessCodeRead,
    CalledList,
    CalledRead,
    CalledWrite,
)
from agentdesk.kit.validation import Id, PageNumber
from agentdesk.resources import Db

router = APIRouter(prefix="/api/config", tags=["config: called configuration"])
admin = require_tenant(CONFIG_MANAGE)


def _read(config: CalledConfig, code: str) -> CalledRead:
    return CalledRead(
        id=config.id,
        access_code_id=config.access_code_id,
        access_code=code,
        extension=config.extension,
        dialled=code + config.extension,
        device_type=config.device_type,
        queue_id=config.queue_id,
        flow_id=config.flow_id,
    )


@router.get("/access-codes", response_model=AccessCodeList)
async def list_access_codes(db: Db, principal: TenantAdmin) -> AccessCodeList:
    """The access codes [接入码] the operations admin assigned to this tenant."""
    async with db.reader() as session:
        codes = await service.list_access_codes(session, principal.tenant_id)
    items = [AccessCodeRead(id=c.id, code=c.code, type=c.type) for c in codes]
    return AccessCodeList(items=items, total=len(items))


@router.get("/called-configs", response_model=CalledList)
async def list_called_configs(
    db: Db,
    page: PageNumber | None = Query(None, description="omit for every configuration"),
    page_size: int = Query(100, ge=1, le=1000),
    principal: Principal = Depends(admin),
) -> CalledList:
    """List the tenant's called configurations by dialled number."""
    async with db.reader() as session:
        rows, total = await service.list_configs(
            session, principal.tenant_id, page=page, page_size=page_size
        )
    return CalledList(items=[_read(config, code) for config, code in rows], total=total)


@router.post("/called-configs", response_model=CalledRead, status_code=201)
async def create_called_config(body: CalledWrite, db: Db, principal: TenantAdmin) -> CalledRead:
    """Point an access code (+ extension) at a skill queue or an IVR flow."""
    async with db.transaction() as session:
        return _read(*await service.create_config(session, principal.tenant_id, body))


@router.get("/called-configs/{config_id}", response_model=CalledRead)
async def show_called_config(config_id: Id, db: Db, principal: TenantAdmin) -> CalledRead:
    """One called configuration."""
    async with db.reader() as session:
        return _read(*await service.get_config(session, principal.tenant_id, config_id))


@router.put("/called-configs/{config_id}", response_model=CalledRead)
async def update_called_config(
    config_id: Id, body: CalledWrite, db: Db, principal: TenantAdmin
) -> CalledRead:
    """Replace a called configuration."""
    async with db.transaction() as session:
        return _read(*await service.update_config(session, principal.tenant_id, config_id, body))


@router.delete("/called-configs/{config_id}", status_code=204)
async def delete_called_config(config_id: Id, db: Db, principal: TenantAdmin) -> Response:
    """Delete a called configuration: its number stops reaching the queue."""
    async with db.transaction() as session:
        await service.delete_config(session, principal.tenant_id, config_id)
    return Response(status_code=204)

"""REST API of skill queues [技能队列]: /api/config/queues (tenant admins)."""

from fastapi import APIRouter, Depends, Query, Response

from agentdesk.auth.deps import TenantAdmin, require_tenant
from agentdesk.auth.permissions import CONFIG_MANAGE
from agentdesk.auth.principal import Principal
from agentdesk.config_center.agents import service as agents
from agentdesk.config_center.called import service as called
from agentdesk.config_center.queues import service
from agentdesk.config_center.queues.schemas import QueueList, QueueRead, QueueWrite
from agentdesk.kit.validation import Id, PageNumber
from agentdesk.resources import Db

router = APIRouter(prefix="/api/config/queues", tags=["config: skill queues"])
admin = require_tenant(CONFIG_MANAGE)


def _users_of(session, tenant_id: int) -> service.UsersOf:
    """What called numbers and agents have that refers to a queue, asked of their services
    (they sit on top of queues, so the queue service cannot ask them itself)."""

    async def users_of(queue_id: int) -> service.QueueUsers:
        return service.QueueUsers(
            routes=await called.routes_to_queue(session, tenant_id, queue_id),
            agents=await agents.serving_queue(session, tenant_id, queue_id),
        )

    return users_of


@router.get("", response_model=QueueList)
async def list_queues(
    db: Db,
    page: PageNumber | None = Query(None, description="omit for every queue"),
    page_size: int = Query(100, ge=1, le=1000),
    principal: Principal = Depends(admin),
) -> QueueList:
    """List the tenant's skill queues by name."""
    async with db.reader() as session:
        items, total = await service.list_queues(
            session, principal.tenant_id, page=page, page_size=page_size
        )
        return QueueList(items=[QueueRead.model_validate(q) for q in items], total=total)


@router.post("", response_model=QueueRead, status_code=201)
async def create_queue(body: QueueWrite, db: Db, principal: TenantAdmin) -> QueueRead:
    """Create a skill queue."""
    async with db.transaction() as session:
        queue = await service.create_queue(session, principal.tenant_id, body)
        return QueueRead.model_validate(queue)


@router.get("/{queue_id}", response_model=QueueRead)
async def show_queue(queue_id: Id, db: Db, principal: TenantAdmin) -> QueueRead:
    """One skill queue."""
    async with db.reader() as session:
        return QueueRead.model_validate(
            await service.get_queue(session, principal.tenant_id, queue_id)
        )


@router.put("/{queue_id}", response_model=QueueRead)
async def update_queue(queue_id: Id, body: QueueWrite, db: Db, principal: TenantAdmin) -> QueueRead:
    """Replace a skill queue's settings."""
    async with db.transaction() as session:
        users_of = _users_of(session, principal.tenant_id)
        queue = await service.update_queue(
            session, principal.tenant_id, queue_id, body, users_of=users_of
        )
        return QueueRead.model_validate(queue)


@router.delete("/{queue_id}", status_code=204)
async def delete_queue(queue_id: Id, db: Db, principal: TenantAdmin) -> Response:
    """Delete a skill queue that no transfer policy or called number uses."""
    async with db.transaction() as session:
        users_of = _users_of(session, principal.tenant_id)
        await service.delete_queue(session, principal.tenant_id, queue_id, users_of=users_of)
    return Response(status_code=204)

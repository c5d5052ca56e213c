"""REST API of the address whitelist: /api/ops/whitelist (operations admins)."""

from fastapi import APIRouter, Depends, Request, Response

from agentdesk.auth.deps import require
from agentdesk.auth.permissions import PLATFORM_MANAGE
from agentdesk.auth.principal import Principal
from agentdesk.config_center.whitelist import service
from agentdesk.config_center.whitelist.models import WhitelistEntry
from agentdesk.config_center.whitelist.schemas import WhitelistList, WhitelistRead, WhitelistWrite
from agentdesk.kit.validation import Id

router = APIRouter(prefix="/api/ops/whitelist", tags=["operations: address whitelist"])
ops_admin = require(PLATFORM_MANAGE)


def _entry_read(row: WhitelistEntry) -> WhitelistRead:
    return WhitelistRead(
        id=row.id,
        pattern=service.pattern_of(row),
        scheme=row.scheme,
        host=row.host,
        port=row.port,
        path_prefix=row.path_prefix,
        allow_private=row.allow_private,
        note=row.note,
        created_at=row.created_at,
    )


@router.get("", response_model=WhitelistList)
async def list_whitelist(request: Request, principal: Principal = Depends(ops_admin)):
    """Origins (+ path prefixes) external pop pages may be loaded from."""
    async with request.app.state.db.reader() as session:
        rows = await service.list_entries(session)
    return WhitelistList(items=[_entry_read(r) for r in rows], total=len(rows))


@router.post("", response_model=WhitelistRead, status_code=201)
async def create_whitelist_entry(
    body: WhitelistWrite, request: Request, principal: Principal = Depends(ops_admin)
) -> WhitelistRead:
    async with request.app.state.db.transaction() as session:
        return _entry_read(await service.create_entry(session, body))


@router.put("/{entry_id}", response_model=WhitelistRead)
async def update_whitelist_entry(
    entry_id: Id, body: WhitelistWrite, request: Request, principal=Depends(ops_admin)
) -> WhitelistRead:
    async with request.app.state.db.transaction() as session:
        return _entry_read(await service.update_entry(session, entry_id, body))


@router.delete("/{entry_id}", status_code=204)
async def delete_whitelist_entry(entry_id: Id, request: Request, principal=Depends(ops_admin)):
    async with request.app.state.db.transaction() as session:
        await service.delete_entry(session, entry_id)
    return Response(status_code=204)

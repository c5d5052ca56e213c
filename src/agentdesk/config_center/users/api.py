"""REST API of business accounts [业务账号], roles and permissions (tenant admins)."""

from fastapi import APIRouter, Depends, Query, Response

from agentdesk.auth.deps import UserManager, current_principal
from agentdesk.auth.permissions import CONFIG_MANAGE, USERS_MANAGE
from agentdesk.auth.principal import Principal
from agentdesk.config_center.users import service
from agentdesk.config_center.users.schemas import (
    PasswordSet,
    PermissionList,
    PermissionRead,
    RoleList,
    RoleRead,
    RoleWrite,
    UserCreate,
    UserList,
    UserRead,
    UserUpdate,
)
from agentdesk.kit.errors import Forbidden
from agentdesk.kit.validation import Id, PageNumber
from agentdesk.resources import Db

router = APIRouter(prefix="/api/config", tags=["config: business accounts and roles"])


async def account_reader(principal: Principal = Depends(current_principal)) -> Principal:
    """Account managers, and configuration admins who link agents to accounts."""
    if not principal.permissions & {USERS_MANAGE, CONFIG_MANAGE}:
        raise Forbidden(f"permission {USERS_MANAGE} or {CONFIG_MANAGE} required")
    principal.require_tenant()
    return principal


@router.get("/users", response_model=UserList)
async def list_users(
    db: Db,
    page: PageNumber | None = Query(None, description="omit for every account"),
    page_size: int = Query(100, ge=1, le=1000),
    principal: Principal = Depends(account_reader),
) -> UserList:
    """List the tenant's business accounts by username."""
    async with db.reader() as session:
        items, total = await service.list_users(
            session, principal.tenant_id, page=page, page_size=page_size
        )
        return UserList(items=[UserRead.model_validate(u) for u in items], total=total)


@router.post("/users", response_model=UserRead, status_code=201)
async def create_user(body: UserCreate, db: Db, principal: UserManager) -> UserRead:
    """Create a business account."""
    async with db.transaction() as session:
        return UserRead.model_validate(await service.create_user(session, principal, body))


@router.get("/users/{user_id}", response_model=UserRead)
async def show_user(
    user_id: Id, db: Db, principal: Principal = Depends(account_reader)
) -> UserRead:
    """One business account."""
    async with db.reader() as session:
        return UserRead.model_validate(
            await service.get_user(session, principal.tenant_id, user_id)
        )


@router.put("/users/{user_id}", response_model=UserRead)
async def update_user(user_id: Id, body: UserUpdate, db: Db, principal: UserManager) -> UserRead:
    """Replace a business account's name, role and status."""
    async with db.transaction() as session:
        user = await service.update_user(session, principal, user_id, body)
        return UserRead.model_validate(user)


@router.post("/users/{user_id}/password", status_code=204)
async def set_password(user_id: Id, body: PasswordSet, db: Db, principal: UserManager) -> Response:
    """Reset a business account's password; its existing sessions end."""
    async with db.transaction() as session:
        await service.set_password(session, principal, user_id, body.password)
    return Response(status_code=204)


@router.delete("/users/{user_id}", status_code=204)
async def delete_user(user_id: Id, db: Db, principal: UserManager) -> Response:
    """Delete a business account (an agent linked to it stays, unlinked)."""
    async with db.transaction() as session:
        await service.delete_user(session, principal, user_id)
    return Response(status_code=204)


@router.get("/roles", response_model=RoleList)
async def list_roles(db: Db, principal: UserManager) -> RoleList:
    """List the tenant's roles."""
    async with db.reader() as session:
        roles = await service.list_roles(session, principal.tenant_id)
        return RoleList(items=[RoleRead.model_validate(r) for r in roles], total=len(roles))


@router.post("/roles", response_model=RoleRead, status_code=201)
async def create_role(body: RoleWrite, db: Db, principal: UserManager) -> RoleRead:
    """Create a role: a name and a set of permissions."""
    async with db.transaction() as session:
        return RoleRead.model_validate(await service.create_role(session, principal, body))


@router.get("/roles/{role_id}", response_model=RoleRead)
async def show_role(role_id: Id, db: Db, principal: UserManager) -> RoleRead:
    """One role."""
    async with db.reader() as session:
        return RoleRead.model_validate(
            await service.get_role(session, principal.tenant_id, role_id)
        )


@router.put("/roles/{role_id}", response_model=RoleRead)
async def update_role(role_id: Id, body: RoleWrite, db: Db, principal: UserManager) -> RoleRead:
    """Rename a role or change its permissions."""
    async with db.transaction() as session:
        return RoleRead.model_validate(await service.update_role(session, principal, role_id, body))


@router.delete("/roles/{role_id}", status_code=204)
async def delete_role(role_id: Id, db: Db, principal: UserManager) -> Response:
    """Delete a role that no account has."""
    async with db.transaction() as session:
        await service.delete_role(session, principal, role_id)
    return Response(status_code=204)


@router.get("/permissions", response_model=PermissionList)
async def list_permissions(principal: UserManager) -> PermissionList:
    """The permissions a tenant role may carry, with Chinese and English labels."""
    items = [PermissionRead(**p) for p in service.permission_list()]
    return PermissionList(items=items, total=len(items))

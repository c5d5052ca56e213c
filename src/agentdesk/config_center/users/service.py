"""Business accounts [业务账号] and tenant roles.

Nobody hands out more than they hold: an account or role may only carry permissions the
caller has, and an account with permissions the caller lacks is out of the caller's reach.
"""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.auth import service as auth
from agentdesk.auth.models import Role, User
from agentdesk.auth.passwords import hash_password_async, password_errors
from agentdesk.auth.permissions import BUILTIN_ROLES, TENANT_PERMISSIONS
from agentdesk.auth.principal import Principal
from agentdesk.config_center.users.repository import RoleRepository, UserRepository
from agentdesk.config_center.users.schemas import CUSTOM, RoleWrite, UserCreate, UserUpdate
from agentdesk.kit.errors import Conflict, FieldError, Forbidden, ValidationFailed


def permission_list() -> list[dict]:
    """Every permission a tenant role may carry, with its labels."""
    return [
        {"key": key, "label_zh": zh, "label_en": en} for key, (zh, en) in TENANT_PERMISSIONS.items()
    ]


# ---------------------------------------------------------------- business accounts


async def list_users(
    session: AsyncSession, tenant_id: int, *, page: int | None = None, page_size: int = 100
) -> tuple[list[User], int]:
    """One page of the tenant's accounts by username (all of them when `page` is None)."""
    repo = UserRepository(session, tenant_id)
    limit, offset = (None, 0) if page is None else (page_size, (page - 1) * page_size)
    items = await repo.list(order_by=User.username, limit=limit, offset=offset)
    return items, await repo.count()


async def get_user(session: AsyncSession, tenant_id: int, user_id: int) -> User:
    return await UserRepository(session, tenant_id).get(user_id)


async def create_user(session: AsyncSession, principal: Principal, data: UserCreate) -> User:
    """Create a business account of the caller's tenant."""
    repo = UserRepository(session, principal.tenant_id)
    await _check_account(repo, principal, data, None, password_errors(data.password, data.username))
    try:
        return await auth.create_user(
            session,
            username=data.username,
            password=data.password,
            role=data.role,
            tenant_id=principal.tenant_id,
            display_name=data.display_name,
            custom_role_id=data.custom_role_id,
        )
    except IntegrityError as exc:
        raise _username_taken(data.username) from exc


async def update_user(
    session: AsyncSession, principal: Principal, user_id: int, data: UserUpdate
) -> User:
    """Replace an account's name, role and status."""
    repo = UserRepository(session, principal.tenant_id)
    user = await _reachable(repo, principal, user_id)
    await _check_account(repo, principal, data, user)
    deactivated = user.active and not data.active
    for key, value in data.model_dump().items():
        setattr(user, key, value)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise _username_taken(data.username) from exc
    if deactivated:
        await auth.end_everything(session, user.id)
    return user


async def set_password(
    session: AsyncSession, principal: Principal, user_id: int, password: str
) -> User:
    """Set a new password; the account's sessions end and its API tokens are revoked."""
    user = await _reachable(UserRepository(session, principal.tenant_id), principal, user_id)
    errors = password_errors(password, user.username)
    if errors:
        raise ValidationFailed(errors)
    await auth.set_password(session, user, await hash_password_async(password))
    return user


async def delete_user(session: AsyncSession, principal: Principal, user_id: int) -> None:
    """Delete an account; an agent linked to it is kept, unlinked."""
    repo = UserRepository(session, principal.tenant_id)
    user = await _reachable(repo, principal, user_id)
    if user.id == principal.user_id:
        raise Conflict("you cannot delete your own account", code="self")
    await repo.delete(user)
    await session.flush()


async def _reachable(repo: UserRepository, principal: Principal, user_id: int) -> User:
    user = await repo.get(user_id, for_update=True)
    held = (await auth.principal_for(repo.session, user)).permissions
    if not held <= principal.permissions:
        raise Forbidden(f"{user.username} has permissions you do not hold")
    return user


async def _check_account(
    repo: UserRepository,
    principal: Principal,
    data: UserUpdate,
    user: User | None,
    errors: list[FieldError] | None = None,
) -> None:
    errors = list(errors or [])
    other = await repo.by_username(data.username)
    if other is not None and (user is None or other.id != user.id):
        errors.append(_username_taken(data.username).errors[0])
    role = None
    if data.custom_role_id is not None:
        role = await RoleRepository(repo.session, repo.tenant_id).find(
            Role.id == data.custom_role_id
        )
        if role is None:
            errors.append(FieldError("custom_role_id", "not_found", "no such role"))
    elif data.role == CUSTOM:
        errors.append(FieldError("custom_role_id", "required", "choose the custom role"))
    if user is not None and user.id == principal.user_id:
        errors += _self_changes(user, data)
    errors += _excess(principal, data, role)
    if errors:
        raise ValidationFailed(errors)


def _self_changes(user: User, data: UserUpdate) -> list[FieldError]:
    """An admin may not lock themselves out: own role and status stay as they are."""
    errors = []
    for field in ("role", "custom_role_id", "active"):
        if getattr(data, field) != getattr(user, field):
            errors.append(FieldError(field, "self", "you cannot change this on your own account"))
    return errors


def _excess(principal: Principal, data: UserUpdate, role: Role | None) -> list[FieldError]:
    errors = []
    builtin = BUILTIN_ROLES.get(data.role, frozenset())
    if not builtin <= principal.permissions:
        errors.append(FieldError("role", "not_held", "this role has permissions you do not hold"))
    extra = set(role.permissions if role else []) & set(TENANT_PERMISSIONS)
    if not extra <= principal.permissions:
        message = "this role has permissions you do not hold"
        errors.append(FieldError("custom_role_id", "not_held", message))
    return errors


def _username_taken(username: str) -> ValidationFailed:
    return ValidationFailed.single("username", "unique", f"username {username} is taken")


# ---------------------------------------------------------------- roles


async def list_roles(session: AsyncSession, tenant_id: int) -> list[Role]:
    return await RoleRepository(session, tenant_id).list(order_by=Role.name)


async def get_role(session: AsyncSession, tenant_id: int, role_id: int) -> Role:
    return await RoleRepository(session, tenant_id).get(role_id)


async def create_role(session: AsyncSession, principal: Principal, data: RoleWrite) -> Role:
    """Create a role: a name and a set of permissions the caller holds."""
    repo = RoleRepository(session, principal.tenant_id)
    await _check_role(repo, principal, data, None)
    role = repo.add(Role(name=data.name, permissions=_unique(data.permissions)))
    await _flush_role(session, data.name)
    return role


async def update_role(
    session: AsyncSession, principal: Principal, role_id: int, data: RoleWrite
) -> Role:
    """Rename a role or change its permissions; its holders get them on their next request."""
    repo = RoleRepository(session, principal.tenant_id)
    role = await repo.get(role_id, for_update=True)
    await _check_role(repo, principal, data, role)
    role.name, role.permissions = data.name, _unique(data.permissions)
    await _flush_role(session, data.name)
    return role


async def delete_role(session: AsyncSession, principal: Principal, role_id: int) -> None:
    """Delete a role no account has."""
    repo = RoleRepository(session, principal.tenant_id)
    role = await repo.get(role_id, for_update=True)
    holders = await repo.holders(role.id)
    if holders:
        raise Conflict(f"role {role.name} is given to: {', '.join(holders)}", code="in_use")
    if not set(role.permissions) <= principal.permissions:
        raise Forbidden(f"role {role.name} has permissions you do not hold")
    await repo.delete(role)
    await session.flush()


async def _check_role(
    repo: RoleRepository, principal: Principal, data: RoleWrite, role: Role | None
) -> None:
    errors = []
    other = await repo.by_name(data.name)
    if other is not None and (role is None or other.id != role.id):
        errors.append(FieldError("name", "unique", f"role {data.name} already exists"))
    granted = set(data.permissions) - set(role.permissions if role else [])
    if not granted <= principal.permissions:
        missing = ", ".join(sorted(granted - principal.permissions))
        errors.append(FieldError("permissions", "not_held", f"you do not hold {missing}"))
    if errors:
        raise ValidationFailed(errors)


async def _flush_role(session: AsyncSession, name: str) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ValidationFailed.single("name", "unique", f"role {name} already exists") from exc


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))

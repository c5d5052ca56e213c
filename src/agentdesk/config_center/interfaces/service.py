"""Interface rules (R-EXT-1): registration, tenant mapping, and what a call needs.

Services validate and change rows; the edge commits, and the edge makes the network call
outside any transaction (see api.py). The auth header value is sealed with the application's
one key ring (`kit.crypto.data_keyring`, pass it as `keys`), so `agentdesk keys rotate`
rotates it with everything else. Headers sealed before that (`v1.`, a key derived from the
secret key alone, see sealing.py) still open with `secret_key` and are re-sealed under the
ring by the next save or by `agentdesk keys rotate` (`reseal_headers`).
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.config_center.interfaces import repository as repo
from agentdesk.config_center.interfaces.caller import CallSpec
from agentdesk.config_center.interfaces.models import ExternalInterface
from agentdesk.config_center.interfaces.schemas import InterfaceWrite
from agentdesk.config_center.interfaces.sealing import VERSION as LEGACY_VERSION
from agentdesk.config_center.interfaces.sealing import UnsealError, unseal
from agentdesk.kit.crypto import CryptoError, KeyRing
from agentdesk.kit.errors import Conflict, FieldError, ValidationFailed

HEADER_AAD = b"external_interfaces.auth_header"


class InterfaceUnusable(Conflict):
    """The interface cannot be called as stored (its auth header no longer opens)."""

    code = "interface_unusable"


# ---------------------------------------------------------------- operations admin


async def list_interfaces(session: AsyncSession) -> list[tuple[ExternalInterface, list[int]]]:
    """Every interface by name, each with the ids of the tenants it is mapped to."""
    rows = await repo.all_interfaces(session)
    tenants = await repo.tenant_ids_of(session, [r.id for r in rows])
    return [(row, tenants[row.id]) for row in rows]


async def get_interface(session: AsyncSession, interface_id: int) -> tuple[ExternalInterface, list]:
    row = await repo.get(session, interface_id)
    return row, (await repo.tenant_ids_of(session, [row.id]))[row.id]


async def create_interface(
    session: AsyncSession, data: InterfaceWrite, *, keys: KeyRing | None
) -> ExternalInterface:
    """Register an interface (and map it to `data.tenant_ids` when given)."""
    errors = await _check(session, data, None)
    if errors:
        raise ValidationFailed(errors)
    row = ExternalInterface(auth_header_name=None, auth_header_sealed=None)
    _apply(row, data, keys)
    session.add(row)
    await _flush(session)
    if data.tenant_ids is not None:
        await repo.replace_tenants(session, row.id, set(data.tenant_ids))
        await session.flush()
    return row


async def update_interface(
    session: AsyncSession, interface_id: int, data: InterfaceWrite, *, keys: KeyRing
) -> ExternalInterface:
    """Replace an interface's settings; a left-out header value or tenant list is kept."""
    row = await repo.get(session, interface_id, for_update=True)
    errors = await _check(session, data, row)
    if errors:
        raise ValidationFailed(errors)
    _apply(row, data, keys)
    await _flush(session)
    if data.tenant_ids is not None:
        await repo.replace_tenants(session, row.id, set(data.tenant_ids))
        await session.flush()
    return row


async def set_tenants(session: AsyncSession, interface_id: int, tenant_ids: list[int]) -> None:
    """Map the interface to exactly these tenants [字典值映射]."""
    await repo.get(session, interface_id, for_update=True)
    unknown = _unknown(set(tenant_ids), await repo.existing_tenants(session, set(tenant_ids)))
    if unknown:
        raise ValidationFailed([unknown])
    await repo.replace_tenants(session, interface_id, set(tenant_ids))
    await session.flush()


async def delete_interface(session: AsyncSession, interface_id: int) -> None:
    """Delete an interface and its mapping (the edge first checks no custom page uses it)."""
    row = await repo.get(session, interface_id, for_update=True)
    await session.delete(row)
    await session.flush()


def _apply(row: ExternalInterface, data: InterfaceWrite, keys: KeyRing | None) -> None:
    row.name = data.name
    row.description = data.description
    row.url = data.url
    row.timeout_ms = data.timeout_ms
    row.allow_private = data.allow_private
    if data.auth_header_name is None:
        row.auth_header_name = row.auth_header_sealed = None
        return
    row.auth_header_name = data.auth_header_name
    if data.auth_header_value is not None:
        if keys is None:
            raise ValueError("sealing an auth header needs the key ring")
        row.auth_header_sealed = seal_header(data.auth_header_value.get_secret_value(), keys)


def seal_header(value: str, keys: KeyRing) -> str:
    """An auth header value sealed under the key ring's active key."""
    return keys.encrypt_text(value, HEADER_AAD)


def open_header(token: str, keys: KeyRing, secret_key: str) -> str:
    """The value of a sealed header: under the key ring, or sealed the old way (v1)."""
    if token.startswith(LEGACY_VERSION + "."):
        return unseal(token, secret_key)
    return keys.decrypt_text(token, HEADER_AAD)


def _needs_reseal(token: str, keys: KeyRing) -> bool:
    if token.startswith(LEGACY_VERSION + "."):
        return True
    return keys.needs_rotation(keys.envelope_of_text(token))


async def reseal_headers(session: AsyncSession, keys: KeyRing, secret_key: str) -> int:
    """Re-seal, under the active key, every auth header sealed the old way or under another
    key (key rotation); returns how many changed. Raises CryptoError/UnsealError for a
    header that no longer opens, so a rotation never drops the only readable copy."""
    stmt = (
        select(ExternalInterface)
        .where(ExternalInterface.auth_header_sealed.is_not(None))
        .order_by(ExternalInterface.id)
        .with_for_update()
    )
    changed = 0
    for row in (await session.execute(stmt)).scalars():
        if _needs_reseal(row.auth_header_sealed, keys):
            value = open_header(row.auth_header_sealed, keys, secret_key)
            row.auth_header_sealed = seal_header(value, keys)
            changed += 1
    await session.flush()
    return changed


async def _check(
    session: AsyncSession, data: InterfaceWrite, row: ExternalInterface | None
) -> list[FieldError]:
    errors: list[FieldError] = []
    existing = await repo.by_name(session, data.name)
    if existing is not None and (row is None or existing.id != row.id):
        errors.append(FieldError("name", "unique", f"interface {data.name} already exists"))
    has_value = data.auth_header_value is not None or (
        row is not None and row.auth_header_sealed is not None
    )
    if data.auth_header_name is not None and not has_value:
        errors.append(
            FieldError("auth_header_value", "required", "enter the value of the auth header")
        )
    if data.auth_header_name is None and data.auth_header_value is not None:
        errors.append(
            FieldError("auth_header_name", "required", "name the header the value is sent in")
        )
    if data.tenant_ids is not None:
        wanted = set(data.tenant_ids)
        unknown = _unknown(wanted, await repo.existing_tenants(session, wanted))
        if unknown:
            errors.append(unknown)
    return errors


def _unknown(wanted: set[int], existing: set[int]) -> FieldError | None:
    missing = sorted(wanted - existing)
    if not missing:
        return None
    return FieldError(
        "tenant_ids", "not_found", f"no tenant with id {', '.join(map(str, missing))}"
    )


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent writer took the name first
        raise ValidationFailed.single(
            "name", "unique", "an interface with this name exists"
        ) from exc


# ---------------------------------------------------------------- tenants and calls


async def tenant_interfaces(session: AsyncSession, tenant_id: int) -> list[ExternalInterface]:
    """The interfaces mapped to the tenant, by name (nothing else is visible to it)."""
    return await repo.mapped_to(session, tenant_id)


async def tenant_interface(
    session: AsyncSession, tenant_id: int, interface_id: int
) -> ExternalInterface:
    """One interface mapped to the tenant; NotFound when absent or not mapped."""
    return await repo.mapped_one(session, tenant_id, interface_id)


def call_spec(row: ExternalInterface, *, keys: KeyRing, secret_key: str) -> CallSpec:
    """What the call needs, auth header opened; InterfaceUnusable if it cannot be opened."""
    headers: dict[str, str] = {}
    if row.auth_header_name and row.auth_header_sealed:
        try:
            headers[row.auth_header_name] = open_header(row.auth_header_sealed, keys, secret_key)
        except (UnsealError, CryptoError):
            raise InterfaceUnusable(
                f"the auth header of interface {row.name} cannot be read (its key is no "
                "longer configured); the operations admin must enter it again"
            ) from None
    return CallSpec(
        interface_id=row.id,
        name=row.name,
        url=row.url,
        timeout_ms=row.timeout_ms,
        allow_private=row.allow_private,
        headers=headers,
    )


async def spec_for_ops(
    session: AsyncSession, interface_id: int, *, keys: KeyRing, secret_key: str
) -> CallSpec:
    row = await repo.get(session, interface_id)
    return call_spec(row, keys=keys, secret_key=secret_key)


async def spec_for_tenant(
    session: AsyncSession, tenant_id: int, interface_id: int, *, keys: KeyRing, secret_key: str
) -> CallSpec:
    """The call of an interface mapped to the tenant; NotFound for any other."""
    row = await repo.mapped_one(session, tenant_id, interface_id)
    return call_spec(row, keys=keys, secret_key=secret_key)

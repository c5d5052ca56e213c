"""Rules of the platform-owned records: tenants and their licences, access codes, outbound
numbers and system parameters. Services never commit; the edge does.

Agents and called configurations live in the configuration center, a layer above this one, so
what depends on them (agents in use, called configurations using an access code) is counted
there and handed in as plain numbers.
"""

from dataclasses import dataclass, fields

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.kit.errors import Conflict, FieldError, NotFound, ValidationFailed
from agentdesk.tenancy import numbers, params
from agentdesk.tenancy import repository as repo
from agentdesk.tenancy.models import AccessCode, OutboundNumber, Tenant

# Licence field -> (usage kind, what is counted, for messages).
LICENCES: dict[str, tuple[str, str]] = {
    "licence_audio": ("audio", "audio agents"),
    "licence_video": ("video", "video agents"),
    "licence_multimedia": ("multimedia", "multimedia agents"),
    "licence_allround": ("allround", "all-round agents"),
    "licence_intelligent": ("intelligent", "agents with intelligent recognition"),
}


@dataclass(frozen=True)
class AgentUsage:
    """How many agents of each licensed kind a tenant has configured."""

    audio: int = 0
    video: int = 0
    multimedia: int = 0
    allround: int = 0
    intelligent: int = 0

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


async def _flush_unique(session: AsyncSession, field: str, message: str) -> None:
    """Flush; a unique constraint that a concurrent writer beat us to is still a 422."""
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ValidationFailed.single(field, "unique", message) from exc


# ---- tenants -------------------------------------------------------------------------------


async def get_tenant(session: AsyncSession, tenant_id: int, *, for_update: bool = False) -> Tenant:
    tenant = await repo.get(session, Tenant, tenant_id, for_update=for_update)
    if tenant is None:
        raise NotFound(f"tenant {tenant_id} not found")
    return tenant


def check_licences(values: dict, usage: AgentUsage) -> None:
    """No licence may drop below the agents of that kind the tenant already has."""
    errors = []
    for field, (kind, counted) in LICENCES.items():
        in_use = getattr(usage, kind)
        if field in values and values[field] < in_use:
            message = f"cannot be lower than the {in_use} {counted} already configured"
            errors.append(FieldError(field, "in_use", message))
    if errors:
        raise ValidationFailed(errors)


async def create_tenant(session: AsyncSession, values: dict) -> Tenant:
    """Create a tenant with its licences; the code must be new."""
    message = f"tenant code {values['code']} already exists"
    if await repo.find(session, Tenant.code, values["code"]):
        raise ValidationFailed.single("code", "unique", message)
    tenant = Tenant(**{key: values[key] for key in ("code", "name", *LICENCES)})
    session.add(tenant)
    await _flush_unique(session, "code", message)
    return tenant


def update_tenant(tenant: Tenant, changes: dict, usage: AgentUsage) -> Tenant:
    """Rename a tenant or change its licences (never below what is in use)."""
    check_licences(changes, usage)
    for key in ("name", *LICENCES):
        if key in changes:
            setattr(tenant, key, changes[key])
    return tenant


async def delete_tenant(session: AsyncSession, tenant: Tenant, agents: int) -> None:
    """Delete a tenant without agents; its access codes and numbers return to the pool.

    Its users, roles, queues, called configurations and contact records go with it (the
    foreign keys cascade). A tenant that still has agents is refused: an operations admin
    should not wipe a working contact center by one click.
    """
    if agents:
        raise Conflict(
            f"tenant {tenant.code} still has {agents} agent(s); delete them in the tenant's "
            "configuration center first",
            code="tenant_in_use",
        )
    await session.delete(tenant)
    await session.flush()


# ---- access codes and outbound numbers (one resource: tenancy.numbers) ---------------------

check_tenant_exists = numbers.check_tenant_exists


async def get_access_code(
    session: AsyncSession, code_id: int, *, for_update: bool = False
) -> AccessCode:
    return await numbers.get(session, numbers.ACCESS_CODES, code_id, for_update=for_update)


async def create_access_code(session: AsyncSession, values: dict) -> AccessCode:
    """Add an access code [接入码] to the platform, optionally assigned to a tenant."""
    return await numbers.create(session, numbers.ACCESS_CODES, values)


def _not_routed(called_configs: int) -> numbers.Guard:
    """A code the tenant routes calls with keeps its tenant and media type."""

    def guard(code: AccessCode, changes: dict) -> None:
        moved = "tenant_id" in changes and changes["tenant_id"] != code.tenant_id
        retyped = "type" in changes and changes["type"] != code.type
        if called_configs and (moved or retyped):
            what = "reassigned or unassigned" if moved else "given another type"
            raise Conflict(
                f"access code {code.code} is used by {called_configs} called configuration(s) "
                f"of its tenant and cannot be {what}; remove them in the configuration center "
                "first",
                code="access_code_in_use",
            )

    return guard


async def update_access_code(
    session: AsyncSession, code: AccessCode, changes: dict, called_configs: int
) -> AccessCode:
    """Renumber, retype, assign or unassign an access code."""
    guard = _not_routed(called_configs)
    return await numbers.update(session, numbers.ACCESS_CODES, code, changes, guard)


async def delete_access_code(session: AsyncSession, code: AccessCode, called_configs: int) -> None:
    """Remove an access code no called configuration uses."""
    if called_configs:
        raise Conflict(
            f"access code {code.code} is used by {called_configs} called configuration(s); "
            "remove them in the configuration center first",
            code="access_code_in_use",
        )
    await numbers.delete(session, code)


async def get_outbound_number(
    session: AsyncSession, number_id: int, *, for_update: bool = False
) -> OutboundNumber:
    return await numbers.get(session, numbers.OUTBOUND_NUMBERS, number_id, for_update=for_update)


async def create_outbound_number(session: AsyncSession, values: dict) -> OutboundNumber:
    """Add an outbound caller number [外呼主叫号码], optionally assigned to a tenant."""
    return await numbers.create(session, numbers.OUTBOUND_NUMBERS, values)


async def update_outbound_number(
    session: AsyncSession, number: OutboundNumber, changes: dict
) -> OutboundNumber:
    """Change, assign or unassign an outbound number."""
    return await numbers.update(session, numbers.OUTBOUND_NUMBERS, number, changes)


async def delete_outbound_number(session: AsyncSession, number: OutboundNumber) -> None:
    """Remove an outbound number (agents then present an access code instead)."""
    await numbers.delete(session, number)


# ---- system parameters -----------------------------------------------------------------------


async def list_parameters(session: AsyncSession) -> list[dict]:
    """Every system parameter with its value, default and range."""
    return await params.all_params(session)


async def get_parameter(session: AsyncSession, key: str) -> dict:
    found = [p for p in await params.all_params(session) if p["key"] == key]
    if not found:
        raise NotFound(f"unknown system parameter {key}")
    return found[0]


async def change_parameter(session: AsyncSession, key: str, value: int) -> dict:
    """Set a system parameter within its range; the error names the field `value`."""
    try:
        await params.set_param(session, key, value)
    except ValidationFailed as exc:
        raise ValidationFailed(
            [FieldError("value", e.rule, e.message) for e in exc.errors]
        ) from None
    await session.flush()
    return await get_parameter(session, key)

"""Where the demo's flows run on calls: extension 2 of the demo access code enters the welcome
menu (960358 + 2), and agents 101 and 102 may verify callers (103 may not, to show the
permission at work)."""

from sqlalchemy import select

from agentdesk.auth.models import Role, User
from agentdesk.auth.permissions import VERIFICATION_PERFORM, WORKBENCH_USE
from agentdesk.config_center.called import service as called
from agentdesk.config_center.called.schemas import CalledWrite
from agentdesk.ivr.models import IvrFlow

WELCOME_EXTENSION = "2"
VERIFIER_ROLE = "座席（身份验证）Agent with verification"
VERIFIERS = ("agent101", "agent102")


async def seed_ivr_calls(session, tenant_id: int, access_code_id: int, welcome_flow: str) -> None:
    flow_id = await session.scalar(
        select(IvrFlow.id).where(IvrFlow.tenant_id == tenant_id, IvrFlow.name == welcome_flow)
    )
    # Through the service, as the admin page does: the flow must be published by now.
    entry = CalledWrite(
        access_code_id=access_code_id,
        extension=WELCOME_EXTENSION,
        device_type="ivr",
        flow_id=flow_id,
    )
    await called.create_config(session, tenant_id, entry)
    role = Role(
        tenant_id=tenant_id, name=VERIFIER_ROLE, permissions=[WORKBENCH_USE, VERIFICATION_PERFORM]
    )
    session.add(role)
    await session.flush()
    for user in await session.scalars(select(User).where(User.username.in_(VERIFIERS))):
        user.custom_role_id = role.id

"""The demo tenant: seeded once, kept on later runs (R-SIM-2)."""

from sqlalchemy import select

from agentdesk.auth.models import User
from agentdesk.auth.service import create_user
from agentdesk.config import Settings
from agentdesk.config_center.agents.models import Agent, AgentSkill
from agentdesk.config_center.called.models import CalledConfig
from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.storage.database import Database
from agentdesk.tenancy.models import AccessCode, OutboundNumber, Tenant

DEMO_TENANT = "demo"
ACCESS_CODE = "960358"
OUTBOUND_NUMBER = "4008009600"
LOGINS = (
    ("ops", "ops-demo-2026", "运营管理员 / operations admin"),
    ("demo-admin", "admin-demo-2026", "租户管理员 / tenant admin (demo)"),
    ("agent101", "agent-demo-101", "座席 / agent 101"),
    ("agent102", "agent-demo-102", "座席 / agent 102"),
    ("agent103", "agent-demo-103", "座席 / agent 103"),
)


async def seed_demo(settings: Settings) -> bool:
    """Create the demo tenant unless it exists; returns True when it was created."""
    db = Database(settings.database_url)
    try:
        async with db.transaction() as session:
            if await session.scalar(select(Tenant).where(Tenant.code == DEMO_TENANT)):
                return False
            await _seed(session)
            return True
    finally:
        await db.dispose()


async def _seed(session) -> None:
    if not await session.scalar(select(User).where(User.username == "ops")):
        await create_user(
            session,
            username="ops",
            password=LOGINS[0][1],
            role="ops_admin",
            tenant_id=None,
            display_name="Operations",
        )
    tenant = Tenant(
        code=DEMO_TENANT,
        name="Demo 演示租户",
        licence_audio=10,
        licence_video=10,
        licence_multimedia=10,
        licence_allround=5,
        licence_intelligent=2,
    )
    session.add(tenant)
    await session.flush()
    await create_user(
        session,
        username="demo-admin",
        password=LOGINS[1][1],
        role="tenant_admin",
        tenant_id=tenant.id,
        display_name="Demo admin",
    )
    code = AccessCode(code=ACCESS_CODE, type="voice_video", tenant_id=tenant.id)
    session.add_all([code, OutboundNumber(number=OUTBOUND_NUMBER, tenant_id=tenant.id)])
    voice = SkillQueue(
        tenant_id=tenant.id,
        name="defaultVoiceSkill",
        type="voice",
        description="处理语音通话 / voice calls",
        acw_seconds=5,
    )
    video = SkillQueue(
        tenant_id=tenant.id,
        name="defaultVideoSkill",
        type="video",
        description="处理视频通话 / video calls",
        acw_seconds=5,
    )
    session.add_all([voice, video])
    await session.flush()
    session.add_all(
        [
            CalledConfig(
                tenant_id=tenant.id, access_code_id=code.id, extension="", queue_id=voice.id
            ),
            CalledConfig(
                tenant_id=tenant.id, access_code_id=code.id, extension="1", queue_id=video.id
            ),
        ]
    )
    for index, (username, password, _label) in enumerate(LOGINS[2:]):
        await _seed_agent(session, tenant.id, 101 + index, username, password, (voice, video))


async def _seed_agent(session, tenant_id, work_no, username, password, queues) -> None:
    user = await create_user(
        session,
        username=username,
        password=password,
        role="agent",
        tenant_id=tenant_id,
        display_name=f"Agent {work_no}",
    )
    agent = Agent(
        tenant_id=tenant_id,
        work_no=work_no,
        agent_type="video",
        user_id=user.id,
        agent_weight=1,
        auto_answer=True,
    )
    session.add(agent)
    await session.flush()
    for queue in queues:
        session.add(
            AgentSkill(tenant_id=tenant_id, agent_id=agent.id, queue_id=queue.id, skill_weight=1)
        )


def print_banner(settings: Settings) -> None:
    origin = settings.origin
    lines = [
        "",
        "agentdesk is starting",
        f"  workbench / 工作台:        {origin}/workbench",
        f"  config center / 配置中心:  {origin}/config",
        f"  operations / 运营管理:     {origin}/ops",
        f"  API docs (OpenAPI):        {origin}/docs",
        "  demo logins (username / password):",
        *[f"    {u:<11} {p:<17} {label}" for u, p, label in LOGINS],
        "  place a call as a customer:",
        f"    .venv/bin/agentdesk sim call --tenant demo --caller 13800000001 --called {ACCESS_CODE}",
        "",
    ]
    print("\n".join(lines), flush=True)

"""The demo tenant: seeded once, kept on later runs (R-SIM-2)."""

from sqlalchemy import func, select

from agentdesk.auth.models import User
from agentdesk.auth.service import create_user
from agentdesk.cli.demo_examples import (
    DEMO_INTERFACE_NAME,
    DEMO_WHITELIST_NOTE,
    EXAMPLES_ORIGIN,
    QUERY_PATH,
    origin_parts,
    retarget_examples,
)
from agentdesk.cli.demo_ivr import WELCOME_FLOW, seed_ivr
from agentdesk.cli.demo_ivr_calls import seed_ivr_calls
from agentdesk.config import Settings
from agentdesk.config_center.agents.models import Agent, AgentSkill
from agentdesk.config_center.basetables import service as basetables
from agentdesk.config_center.basetables.models import BaseTableRow
from agentdesk.config_center.basetables.schemas import DictItem, FieldWrite, TableWrite
from agentdesk.config_center.called.models import CalledConfig
from agentdesk.config_center.custompages import service as custompages
from agentdesk.config_center.custompages.schemas import CustomPageWrite, PageObjectWrite
from agentdesk.config_center.interfaces import service as interfaces
from agentdesk.config_center.interfaces.schemas import InterfaceWrite
from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.config_center.screenpop.models import PopPage, PopParam
from agentdesk.config_center.whitelist.models import WhitelistEntry
from agentdesk.kit.clock import Clock
from agentdesk.storage.database import Database
from agentdesk.tenancy.models import AccessCode, OutboundNumber, SystemParameter, Tenant

DEMO_TENANT = "demo"
ACCESS_CODE = "960358"
OUTBOUND_NUMBER = "4008009600"
# The signed sample page verifies with the same secret (examples/third_party_pages.py).
DEMO_POP_SECRET = "demo-pop-secret-2026"
DEMO_MAX_POPS = 8
LOGINS = (
    ("ops", "ops-demo-2026", "运营管理员 / operations admin"),
    ("demo-admin", "admin-demo-2026", "租户管理员 / tenant admin (demo)"),
    ("agent101", "agent-demo-101", "座席 / agent 101"),
    ("agent102", "agent-demo-102", "座席 / agent 102"),
    ("agent103", "agent-demo-103", "座席 / agent 103"),
)


# Customers of the demo base table (scenario 5): the demo simulator calls come from these numbers.
DEMO_CUSTOMERS = (
    ("13800000001", "张三 Zhang San", "110101199003078888", "gold", "2019-05-20"),
    ("13800000002", "李四 Li Si", "310101198512124444", "silver", "2021-11-02"),
    ("13900000003", "王五 Wang Wu", "440101200001015555", "bronze", "2023-03-15"),
)


async def seed_demo(settings: Settings) -> bool:
    """Create the demo tenant unless it exists; returns True when it was created."""
    db = Database(settings.database_url)
    try:
        async with db.transaction() as session:
            tenant = await session.scalar(select(Tenant).where(Tenant.code == DEMO_TENANT))
            if tenant is not None:
                await retarget_examples(session, tenant.id, settings.examples_origin)
                return False
            await _seed(
                session,
                examples_origin=settings.examples_origin,
                secret_key=settings.secret_key,
                key_material=settings.key_material,
            )
            return True
    finally:
        await db.dispose()


async def _seed(
    session,
    examples_origin: str = EXAMPLES_ORIGIN,
    secret_key: str | None = None,
    key_material: dict[str, str] | None = None,
) -> None:
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
    await _seed_pops(session, tenant.id, examples_origin)
    await _seed_internal_pages(session, tenant.id, examples_origin)
    await seed_ivr(session, tenant.id, examples_origin, voice.id, video.id)
    await seed_ivr_calls(session, tenant.id, code.id, WELCOME_FLOW)
    if secret_key:  # the rows are encrypted with keys derived from it
        await _seed_base_table(session, tenant.id, secret_key, key_material or {})


async def _seed_pops(session, tenant_id: int, origin: str) -> None:
    """Whitelist the sample pages and configure them as the demo's screen pops [弹屏配置].

    The demo shows every kind of page, more than the default 5 per tab: it raises the system
    parameter to 8 (operations admins can change it back)."""
    if await session.get(SystemParameter, "max_pop_pages_per_tab") is None:
        session.add(SystemParameter(key="max_pop_pages_per_tab", value=DEMO_MAX_POPS))
    scheme, host, port = origin_parts(origin)
    existing = await session.scalar(
        select(WhitelistEntry).where(
            WhitelistEntry.scheme == scheme,
            WhitelistEntry.host == host,
            WhitelistEntry.port == port,
            WhitelistEntry.path_prefix == "",
        )
    )
    if existing is None:
        session.add(
            WhitelistEntry(
                scheme=scheme,
                host=host,
                port=port,
                path_prefix="",
                allow_private=True,  # the samples run on this machine
                note=DEMO_WHITELIST_NOTE,
            )
        )
    pages = [
        ("客户信息 Customer (GET)", "/customer.html", "get", "embed", True, None),
        ("工单 Ticket (POST)", "/pop/post", "post", "embed", True, None),
        ("签名示例 Signed (GET)", "/signed.html", "get", "embed", True, DEMO_POP_SECRET),
        ("拒绝嵌入 Refuses framing", "/no-frame.html", "get", "embed", False, None),
        ("SDK 示例 Web API sample", "/sdk-demo.html", "webapi", "embed", True, None),
    ]
    for position, (name, path, integration, mode, enabled, secret) in enumerate(pages, 1):
        session.add(
            PopPage(
                tenant_id=tenant_id,
                tab="audio_video",
                position=position,
                name=name,
                url=origin + path,
                integration=integration,
                open_mode=mode,
                enabled=enabled,
                secret=secret,
            )
        )
    await session.flush()
    ticket = await session.scalar(
        select(PopPage).where(PopPage.tenant_id == tenant_id, PopPage.position == 2)
    )
    # The POST page shows configured parameters: exactly these three are sent (R-POP-4).
    for position, (name, source, key) in enumerate(
        [
            ("caller", "call_data", "callerNum"),
            ("id", "call_data", "callid"),
            ("order", "attached_data", "orderNo"),
        ],
        1,
    ):
        session.add(
            PopParam(
                tenant_id=tenant_id,
                page_id=ticket.id,
                position=position,
                name=name,
                source=source,
                key=key,
            )
        )


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


async def _seed_internal_pages(session, tenant_id: int, origin: str) -> None:
    """Scenario 4 of the guide: the sample customer-query interface, registered and mapped to
    the demo tenant, shown by a published custom page as an internal pop page."""
    api = await interfaces.create_interface(
        session,
        InterfaceWrite(
            name=DEMO_INTERFACE_NAME,
            description=f"examples/: POST {QUERY_PATH}",
            url=f"{origin}{QUERY_PATH}",
            timeout_ms=3000,
            allow_private=True,  # the sample runs on this machine
            tenant_ids=[tenant_id],
        ),
        keys=None,  # no auth header to seal
    )
    page = await custompages.create_page(
        session,
        tenant_id,
        CustomPageWrite(
            name="客户资料 Customer profile",
            layout="tile",
            columns=3,
            interface_type="external",
            interface_id=api.id,
        ),
    )
    await custompages.publish_page(session, tenant_id, page.id, Clock().now())
    await _add_internal_pop(session, tenant_id, "内部页面 Internal (interface)", page.id)


async def _add_internal_pop(session, tenant_id: int, name: str, custom_page_id: int) -> None:
    position = (
        await session.scalar(
            select(func.max(PopPage.position)).where(PopPage.tenant_id == tenant_id)
        )
    ) or 0
    session.add(
        PopPage(
            tenant_id=tenant_id,
            tab="audio_video",
            position=position + 1,
            name=name,
            page_type="internal",
            custom_page_id=custom_page_id,
            url="",
            enabled=True,
        )
    )


async def _seed_base_table(
    session, tenant_id: int, secret_key: str, key_material: dict[str, str]
) -> None:
    """Scenario 5 of the guide: a published base table of customers (phone number as the
    encrypted index, the ID number encrypted and masked), a custom page over it, and an
    internal pop page showing it."""
    table = await basetables.create_table(
        session,
        tenant_id,
        TableWrite(
            name="客户信息表 Customers",
            description="demo: callers 13800000001, 13800000002, 13900000003",
            fields=[
                FieldWrite(name="手机号码", index=True, encrypted=True, type="string", length=20),
                FieldWrite(name="姓名", required=True, type="string", length=40),
                FieldWrite(
                    name="证件号码",
                    encrypted=True,
                    type="string",
                    length=18,
                    mask=True,
                    mask_style="first4",
                ),
                FieldWrite(
                    name="会员等级",
                    type="dictionary",
                    items=[
                        DictItem(key="gold", value="金卡 Gold"),
                        DictItem(key="silver", value="银卡 Silver"),
                        DictItem(key="bronze", value="铜卡 Bronze"),
                    ],
                ),
                FieldWrite(name="开户日期", type="date"),
            ],
        ),
    )
    table = await basetables.publish_table(session, tenant_id, table.id, Clock())
    codec = basetables.codec_for(table, basetables.data_keys(secret_key, key_material))
    columns = codec.valid_columns([list(customer) for customer in DEMO_CUSTOMERS])
    index_keys, plain, secret = codec.encode(columns, codec.index_keys(columns))
    session.add_all(
        BaseTableRow(
            tenant_id=tenant_id, table_id=table.id, index_key=key, plain=text, secret=sealed
        )
        for key, text, sealed in zip(index_keys, plain, secret, strict=True)
    )
    table.row_count = len(index_keys)  # key rotation and the admin pages go by it
    page = await custompages.create_page(
        session,
        tenant_id,
        CustomPageWrite(
            name="会员资料 Member (base table)",
            layout="block",
            columns=2,
            interface_type="internal",
            objects=[
                PageObjectWrite(
                    name="会员 Member",
                    table_id=table.id,
                    fields=["姓名", "证件号码", "会员等级", "开户日期"],
                )
            ],
        ),
    )
    await custompages.publish_page(session, tenant_id, page.id, Clock().now())
    await _add_internal_pop(session, tenant_id, "内部页面 Internal (base table)", page.id)


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
        f"    .venv/bin/agentdesk sim call --tenant demo --caller 13800000001 --called {ACCESS_CODE} --data orderNo=A-1001",
        f"  sample third-party pages:  {settings.examples_origin}/  (screen pops of the demo tenant)",
        "",
    ]
    print("\n".join(lines), flush=True)

"""The demo's IVR flows and identity verification (guide 4.4.5): flow `shenfenyanzheng` and
method `kahaoyanzheng` / `CARDVERIFY`, enabled; the welcome menu; the verification interface
registered on the examples' origin, mapped to the demo tenant, and moved with it. On SQLite
and PostgreSQL."""

import asyncio

from sqlalchemy import select

from agentdesk.cli import demo
from agentdesk.config_center.interfaces.models import ExternalInterface, InterfaceTenant
from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.ivr import engine
from agentdesk.ivr.models import IvrFlow
from agentdesk.ivr.validator import validate
from agentdesk.tenancy.models import Tenant
from agentdesk.verification.models import VerificationMethod
from tests.support import seed


def _read(url: str) -> dict:
    async def read(session):
        tenant_id = await session.scalar(select(Tenant.id).where(Tenant.code == "demo"))
        flows = {f.name: f for f in await session.scalars(
            select(IvrFlow).where(IvrFlow.tenant_id == tenant_id))}  # fmt: skip
        methods = list(await session.scalars(
            select(VerificationMethod).where(VerificationMethod.tenant_id == tenant_id)))  # fmt: skip
        interface = await session.scalar(
            select(ExternalInterface).where(ExternalInterface.name == "verify-card"))  # fmt: skip
        mapped = await session.scalar(select(InterfaceTenant.tenant_id).where(
            InterfaceTenant.interface_id == interface.id))  # fmt: skip
        queues = {q.name: q.id for q in await session.scalars(
            select(SkillQueue).where(SkillQueue.tenant_id == tenant_id))}  # fmt: skip
        return {"tenant_id": tenant_id, "flows": flows, "methods": methods,
                "interface": (interface.id, interface.url), "mapped": mapped, "queues": queues}  # fmt: skip

    return seed.run(url, read)


def test_the_demo_has_the_guides_verification_and_a_welcome_menu(database_url, make_settings):
    settings = make_settings(database_url, examples_origin="http://127.0.0.1:9201")
    assert asyncio.run(demo.seed_demo(settings)) is True
    found = _read(database_url)
    interface_id, url = found["interface"]
    assert url == "http://127.0.0.1:9201/api/verify-card"
    assert found["mapped"] == found["tenant_id"]

    (method,) = found["methods"]
    assert (method.name, method.code, method.enabled) == ("kahaoyanzheng", "CARDVERIFY", True)
    verify = found["flows"]["shenfenyanzheng"]
    assert method.flow_id == verify.id
    assert verify.published == verify.draft and verify.published_version == 1
    assert validate(verify.published) == []

    # card number, PIN (masked), the interface, back to the agent
    flow = verify.published
    run = engine.begin(flow, {"verifyServiceNo": "13800000001", "verifyWorkNo": "101"}, 0).run
    run = engine.on_digits(flow, run, "6222020000001234#", 1).run
    outcome = engine.on_digits(flow, run, "123456#", 2)
    call = outcome.actions[-1]
    assert call.interface_id == interface_id
    assert call.body == {"calldata": {"verifyServiceNo": "13800000001", "verifyWorkNo": "101",
                                      "cardNo": "6222020000001234", "pin": "123456"}}  # fmt: skip
    assert outcome.run.masked_keys == ("pin",)
    answer = {"calldata": {"data": {"verifyResult": 1, "verifyReturn1": "VIP"}}}
    done = engine.on_interface_answer(flow, outcome.run, "check", answer, None, 3)
    assert done.actions == (engine.ReturnToAgent(),)
    assert done.run.data["verifyResult"] == "1" and "pin" not in done.run.data

    welcome = found["flows"]["huanying"].published
    assert validate(welcome) == []
    chosen = engine.on_digits(welcome, engine.begin(welcome, {}, 0).run, "2", 1)
    assert chosen.actions == (engine.TransferQueue(found["queues"]["defaultVideoSkill"]),)


def test_the_verification_interface_follows_the_examples_port(database_url, make_settings):
    first = make_settings(database_url)
    asyncio.run(demo.seed_demo(first))
    assert _read(database_url)["interface"][1] == "http://127.0.0.1:8001/api/verify-card"
    asyncio.run(demo.seed_demo(first.with_changes(examples_origin="http://127.0.0.1:9202")))
    assert _read(database_url)["interface"][1] == "http://127.0.0.1:9202/api/verify-card"

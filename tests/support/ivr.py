"""Flows, a verification method and the verification interface for IVR tests, built in the
database as an admin would configure them."""

from sqlalchemy import select

from agentdesk.config_center.called.models import CalledConfig
from agentdesk.config_center.interfaces.models import ExternalInterface
from agentdesk.config_center.queues.models import SkillQueue
from agentdesk.ivr.models import IvrFlow
from agentdesk.tenancy.models import AccessCode, Tenant
from agentdesk.verification.models import VerificationMethod
from tests.support import seed

CARD_OK, PIN_OK = "6222000000000001", "1234"
CARD_SLOW, CARD_GARBAGE = "6222000000000003", "6222000000000004"


def welcome_flow(voice_id: int, video_id: int) -> dict:
    return {
        "start": "welcome",
        "steps": [
            {"id": "welcome", "type": "menu", "prompt": "Press 1 for sales, 2 for video",
             "options": {"1": "sales", "2": "video"}, "default": "bye", "retries": 1,
             "timeout_seconds": 5, "invalid_prompt": "Sorry, not a valid choice"},
            {"id": "sales", "type": "transfer_queue", "queue_id": voice_id},
            {"id": "video", "type": "transfer_queue", "queue_id": video_id},
            {"id": "bye", "type": "release", "prompt": "Goodbye"},
        ],
    }  # fmt: skip


def verify_flow(interface_id: int, timeout_seconds: int = 2) -> dict:
    body = {
        "calldata": {
            "verifyServiceNo": "{{verifyServiceNo}}",
            "verifyWorkNo": "{{verifyWorkNo}}",
            "cardNo": "{{cardNo}}",
            "pin": "{{pin}}",
        }
    }
    return {
        "start": "card",
        "steps": [
            {"id": "card", "type": "collect", "prompt": "Enter your card number then #",
             "key": "cardNo", "min_length": 4, "max_length": 19, "terminator": "#",
             "first_digit_timeout_seconds": 10, "inter_digit_timeout_seconds": 5,
             "retries": 1, "masked": False, "next": "pin", "on_failure": "ret"},
            {"id": "pin", "type": "collect", "prompt": "Enter your PIN then #", "key": "pin",
             "min_length": 4, "max_length": 6, "terminator": "#",
             "first_digit_timeout_seconds": 10, "inter_digit_timeout_seconds": 5,
             "retries": 1, "masked": True, "next": "check", "on_failure": "ret"},
            {"id": "check", "type": "interface", "interface_id": interface_id, "body": body,
             "timeout_seconds": timeout_seconds,
             "map": {"verifyResult": "calldata.data.verifyResult"},
             "next": "ret", "on_error": "ret"},
            {"id": "ret", "type": "return_to_agent"},
        ],
    }  # fmt: skip


def busy_flow(voice_id: int) -> dict:
    return {
        "start": "sorry",
        "steps": [
            {"id": "sorry", "type": "menu", "prompt": "All agents are busy. Press 1 to wait",
             "options": {"1": "back"}, "default": "bye", "retries": 0, "timeout_seconds": 5},
            {"id": "back", "type": "transfer_queue", "queue_id": voice_id},
            {"id": "bye", "type": "release", "prompt": "Please call again later"},
        ],
    }  # fmt: skip


WAIT_PROMPT = "While you wait: press 1 for our opening hours, 9 to hang up"


def wait_flow() -> dict:
    """A queue's IVR waiting treatment: a menu the caller runs while queued."""
    return {
        "start": "menu",
        "steps": [
            {"id": "menu", "type": "menu", "prompt": WAIT_PROMPT, "options": {"1": "hours",
             "9": "bye"}, "default": "bye", "retries": 5, "timeout_seconds": 5},
            {"id": "hours", "type": "play", "prompt": "We are open 9 to 5", "next": "menu"},
            {"id": "bye", "type": "release", "prompt": "Goodbye from the queue"},
        ],
    }  # fmt: skip


def seed_ivr(url: str, verify_origin: str, *, timeout_seconds: int = 2) -> dict:
    """On the seeded demo tenant: its verify-card interface points at `verify_origin`, its
    method CARDVERIFY runs a card flow with a `timeout_seconds` interface step, extension 9
    of 960358 is a welcome menu. agent101 may verify, agent103 may not (the demo's roles)."""

    async def build(session):
        tenant = await session.scalar(select(Tenant).where(Tenant.code == "demo"))
        queues = {q.name: q for q in await session.scalars(select(SkillQueue))}
        voice, video = queues["defaultVoiceSkill"], queues["defaultVideoSkill"]
        api = await session.scalar(
            select(ExternalInterface).where(ExternalInterface.name == "verify-card")
        )
        api.url = f"{verify_origin}/api/verify-card"
        flows = {}
        for name, definition in (
            ("welcome", welcome_flow(voice.id, video.id)),
            ("verify", verify_flow(api.id, timeout_seconds)),
            ("busy", busy_flow(voice.id)),
            ("wait", wait_flow()),
        ):
            flow = IvrFlow(
                tenant_id=tenant.id,
                name=f"test-{name}",
                draft=definition,
                published=definition,
                published_version=1,
            )
            session.add(flow)
            flows[name] = flow
        await session.flush()
        code = await session.scalar(select(AccessCode).where(AccessCode.code == "960358"))
        session.add(
            CalledConfig(
                tenant_id=tenant.id,
                access_code_id=code.id,
                extension="9",
                device_type="ivr",
                flow_id=flows["welcome"].id,
            )
        )
        method = await session.scalar(
            select(VerificationMethod).where(VerificationMethod.code == "CARDVERIFY")
        )
        method.flow_id = flows["verify"].id
        return {
            "tenant_id": tenant.id,
            "interface_id": api.id,
            "method_id": method.id,
            "flows": {name: f.id for name, f in flows.items()},
            "voice_id": voice.id,
        }

    return seed.run(url, build)

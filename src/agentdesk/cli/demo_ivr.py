"""The demo's IVR flows and identity verification (guide 4.4.5, issue 10).

- `shenfenyanzheng`: collect the card number, collect the PIN (masked), ask the enterprise's
  verification interface (`verify-card`, the sample of examples/ at VERIFY_PATH, registered
  here and mapped to the demo tenant), return to the agent;
- method `kahaoyanzheng` / `CARDVERIFY`, enabled, on that flow (figures 4-10/4-11);
- `huanying`: a welcome menu, 1 the voice queue, 2 the video queue (an access code's IVR
  extension points at it).
"""

from agentdesk.cli.demo_examples import VERIFY_INTERFACE_NAME, VERIFY_PATH
from agentdesk.config_center.interfaces import service as interfaces
from agentdesk.config_center.interfaces.schemas import InterfaceWrite
from agentdesk.ivr import service as flows
from agentdesk.ivr.schemas import FlowWrite
from agentdesk.kit.clock import Clock
from agentdesk.verification import service as verification
from agentdesk.verification.schemas import MethodWrite

VERIFY_FLOW = "shenfenyanzheng"
WELCOME_FLOW = "huanying"


def verification_flow(interface_id: int) -> dict:
    calldata = {"verifyServiceNo": "{{verifyServiceNo}}", "verifyWorkNo": "{{verifyWorkNo}}",
                "cardNo": "{{cardNo}}", "pin": "{{pin}}"}  # fmt: skip
    answer = {key: f"calldata.data.{key}"
              for key in ("verifyResult", "verifyReturn1", "verifyReturn2", "verifyReturn3")}  # fmt: skip
    return {"start": "card", "steps": [
        {"id": "card", "type": "collect", "label": "卡号 Card number",
         "prompt": "请输入您的卡号，以井号键结束。Please enter your card number, then #.",
         "key": "cardNo", "min_length": 4, "max_length": 19, "terminator": "#",
         "first_digit_timeout_seconds": 10, "inter_digit_timeout_seconds": 5, "retries": 2,
         "invalid_prompt": "输入有误。That was not a valid card number.",
         "masked": False, "next": "pin", "on_failure": "back"},
        {"id": "pin", "type": "collect", "label": "密码 PIN",
         "prompt": "请输入密码，以井号键结束。Please enter your PIN, then #.",
         "key": "pin", "min_length": 4, "max_length": 6, "terminator": "#",
         "first_digit_timeout_seconds": 10, "inter_digit_timeout_seconds": 5, "retries": 2,
         "masked": True, "next": "check", "on_failure": "back"},
        {"id": "check", "type": "interface", "label": "身份认证 Verify",
         "interface_id": interface_id, "body": {"calldata": calldata}, "timeout_seconds": 5,
         "map": answer, "next": "back", "on_error": "back"},
        {"id": "back", "type": "return_to_agent", "label": "返回座席 Back to the agent"},
    ]}  # fmt: skip


def welcome_flow(voice_queue_id: int, video_queue_id: int) -> dict:
    return {"start": "welcome", "steps": [
        {"id": "welcome", "type": "menu",
         "prompt": "欢迎致电演示租户，语音服务请按1，视频服务请按2。"
                   "Welcome. Press 1 for voice service, 2 for video service.",
         "options": {"1": "voice", "2": "video"}, "default": "bye", "retries": 2,
         "timeout_seconds": 8, "invalid_prompt": "输入有误。Sorry, that is not a choice."},
        {"id": "voice", "type": "transfer_queue", "queue_id": voice_queue_id},
        {"id": "video", "type": "transfer_queue", "queue_id": video_queue_id},
        {"id": "bye", "type": "release", "prompt": "感谢您的来电，再见。Thank you, goodbye."},
    ]}  # fmt: skip


async def seed_ivr(session, tenant_id: int, origin: str, voice_queue_id: int,
                   video_queue_id: int, clock: Clock | None = None) -> None:  # fmt: skip
    clock = clock or Clock()
    api = await interfaces.create_interface(
        session,
        InterfaceWrite(
            name=VERIFY_INTERFACE_NAME,
            description=f"examples/: POST {VERIFY_PATH} (身份认证 identity verification)",
            url=f"{origin}{VERIFY_PATH}",
            timeout_ms=5000,
            allow_private=True,  # the sample runs on this machine
            tenant_ids=[tenant_id],
        ),
        keys=None,
    )
    verify = await flows.create_flow(session, tenant_id, FlowWrite(
        name=VERIFY_FLOW, description="身份认证：卡号 + 密码 / card number + PIN",
        definition=verification_flow(api.id)))  # fmt: skip
    await flows.publish_flow(session, tenant_id, verify.id, clock.now())
    welcome = await flows.create_flow(session, tenant_id, FlowWrite(
        name=WELCOME_FLOW, description="欢迎菜单 / welcome menu",
        definition=welcome_flow(voice_queue_id, video_queue_id)))  # fmt: skip
    await flows.publish_flow(session, tenant_id, welcome.id, clock.now())
    await verification.create_method(session, tenant_id, MethodWrite(
        name="kahaoyanzheng", code="CARDVERIFY", flow_id=verify.id, enabled=True))  # fmt: skip

"""System parameters [系统参数]: platform-wide integers with documented ranges."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentdesk.kit.errors import NotFound, ValidationFailed
from agentdesk.tenancy.models import SystemParameter


@dataclass(frozen=True)
class ParamSpec:
    key: str
    default: int
    minimum: int
    maximum: int
    label_zh: str
    label_en: str


PARAMS: dict[str, ParamSpec] = {
    spec.key: spec
    for spec in (
        ParamSpec(
            "max_skill_queues",
            1000,
            1,
            1000,
            "每个租户最大技能队列数",
            "Max skill queues per tenant",
        ),
        ParamSpec(
            "ring_timeout_seconds", 20, 5, 120, "座席振铃超时(秒)", "Agent ring time-out (s)"
        ),
        ParamSpec(
            "max_queue_transfers",
            5,
            1,
            20,
            "排队转接最大次数",
            "Max queue-to-queue transfers per call",
        ),
        ParamSpec(
            "event_retention_hours", 72, 1, 720, "事件保留时长(小时)", "Event replay retention (h)"
        ),
        ParamSpec(
            "max_pop_pages_per_tab",
            5,
            1,
            10,
            "每个租户配置的最大弹屏页面数",
            "Max pop pages per tab",
        ),
        ParamSpec(
            "max_pop_params_per_page",
            10,
            1,
            20,
            "每个租户单个弹屏页面配置URL传递的最大参数数",
            "Max parameters per pop page",
        ),
    )
}


async def get_param(session: AsyncSession, key: str) -> int:
    spec = PARAMS[key]
    value = await session.scalar(select(SystemParameter.value).where(SystemParameter.key == key))
    return spec.default if value is None else value


async def all_params(session: AsyncSession) -> list[dict]:
    stored = dict((await session.execute(select(SystemParameter.key, SystemParameter.value))).all())
    return [
        {
            "key": spec.key,
            "value": stored.get(spec.key, spec.default),
            "default": spec.default,
            "minimum": spec.minimum,
            "maximum": spec.maximum,
            "label_zh": spec.label_zh,
            "label_en": spec.label_en,
        }
        for spec in PARAMS.values()
    ]


async def set_param(session: AsyncSession, key: str, value: int) -> None:
    """Set a parameter after checking its range; the message names the range."""
    spec = PARAMS.get(key)
    if spec is None:
        raise NotFound(f"unknown system parameter {key}")
    if not spec.minimum <= value <= spec.maximum:
        raise ValidationFailed.single(
            key, "range", f"must be between {spec.minimum} and {spec.maximum}"
        )
    row = await session.get(SystemParameter, key)
    if row is None:
        session.add(SystemParameter(key=key, value=value))
    else:
        row.value = value

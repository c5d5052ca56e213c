"""Request and response bodies of the skill-queue API (R-CC-1).

The ranges live here, once: FastAPI enforces them and publishes them in /openapi.json, where
the admin UI reads them to show hints and defaults.
"""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from agentdesk.config_center.queues.models import (
    ANSWER_MODES,
    HOLD_TREATMENTS,
    MULTIMEDIA_SUBTYPES,
    QUEUE_TYPES,
    WAIT_TREATMENTS,
)
from agentdesk.kit.validation import Id

QueueType = Literal[QUEUE_TYPES]
Subtype = Literal[MULTIMEDIA_SUBTYPES]
# transfer_ivr [转接IVR流程]: voice/video queues only, to a published flow of the tenant.
PolicyAction = Literal["release", "transfer_queue", "transfer_ivr"]
POLICIES = ("timeout", "overflow", "no_agent")


def _no_spaces(value: str) -> str:
    if any(ch.isspace() for ch in value):
        raise PydanticCustomError("no_spaces", "must not contain spaces")
    return value


QueueName = Annotated[
    str,
    Field(min_length=1, max_length=20, json_schema_extra={"pattern": r"^\S+$"}),
    AfterValidator(_no_spaces),
]


class QueueWrite(BaseModel):
    """A skill queue as the tenant admin configures it (create and full update)."""

    name: QueueName = Field(description="≤20 characters, no spaces, unique in the tenant")
    type: QueueType = "voice"
    subtype: Subtype | None = Field(None, description="required for multimedia queues")
    max_wait_seconds: int = Field(60, ge=1, le=60000, description="最大等待时间")
    max_queued_calls: int = Field(100, ge=1, le=10000, description="最大排队人数")
    acw_seconds: int = Field(5, ge=0, le=3600, description="整理态时长")
    description: str = Field("", max_length=50)
    timeout_action: PolicyAction = "release"
    timeout_target_queue_id: Id | None = None
    timeout_target_ivr_id: Id | None = Field(None, description="IVR flow, for transfer_ivr")
    overflow_action: PolicyAction = "release"
    overflow_target_queue_id: Id | None = None
    overflow_target_ivr_id: Id | None = Field(None, description="IVR flow, for transfer_ivr")
    no_agent_action: PolicyAction = "release"
    no_agent_target_queue_id: Id | None = None
    no_agent_target_ivr_id: Id | None = Field(None, description="IVR flow, for transfer_ivr")
    wait_treatment: Literal[WAIT_TREATMENTS] = "default_tone"
    wait_ivr_id: Id | None = Field(
        None, description="IVR flow callers run while waiting, for wait_treatment ivr"
    )
    hold_treatment: Literal[HOLD_TREATMENTS] = "default_tone"
    answer_mode: Literal[ANSWER_MODES] = "silent"


class QueueRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    type: str
    subtype: str | None
    max_wait_seconds: int
    max_queued_calls: int
    acw_seconds: int
    description: str
    timeout_action: str
    timeout_target_queue_id: int | None
    timeout_target_ivr_id: int | None = None
    overflow_action: str
    overflow_target_queue_id: int | None
    overflow_target_ivr_id: int | None = None
    no_agent_action: str
    no_agent_target_queue_id: int | None
    no_agent_target_ivr_id: int | None = None
    wait_treatment: str
    wait_ivr_id: int | None = None
    hold_treatment: str
    answer_mode: str


class QueueList(BaseModel):
    items: list[QueueRead]
    total: int

"""Request and response bodies of agent management [座席管理] (R-CC-3)."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from agentdesk.config_center.agents.models import AGENT_TYPES, PLATFORM_ROLES
from agentdesk.kit.validation import Id

MIN_WORK_NO, MAX_WORK_NO = 101, 999999
MAX_BATCH = 1000
PHONE = re.compile(r"^\+?[0-9]{3,24}$")

WorkNo = Annotated[int, Field(ge=MIN_WORK_NO, le=MAX_WORK_NO, description="平台工号 101–999999")]
Weight = Annotated[int, Field(ge=1, le=100)]


def _phone(value: str) -> str:
    if value and not PHONE.match(value):
        raise PydanticCustomError("phone_number", "must be 3-24 digits, optional +")
    return value


class SkillWrite(BaseModel):
    queue_id: Id
    skill_weight: Weight = Field(1, description="技能权值: higher is offered calls first")


class AgentSettings(BaseModel):
    """What batch configuration applies to every agent it touches."""

    platform_role: Literal[PLATFORM_ROLES] = "operator"
    agent_type: Literal[AGENT_TYPES] = "audio"
    phone: Annotated[str, Field(max_length=25), AfterValidator(_phone)] = ""
    agent_weight: Weight = Field(1, description="座席权值")
    intelligent: bool = Field(False, description="counted against the intelligent licence")
    single_phone: bool = False
    display_through: bool = False
    auto_answer: bool = True
    skills: list[SkillWrite] = Field(default_factory=list, max_length=100)


class AgentWrite(AgentSettings):
    """One agent (create and full update)."""

    work_no: WorkNo
    user_id: Id | None = Field(None, description="the business account [业务账号] it signs in as")


class WorkNoRange(BaseModel):
    start: WorkNo
    end: WorkNo


class AgentBatch(AgentSettings):
    """Create or update the agents with these work numbers, all with the same settings."""

    work_nos: list[WorkNo] | None = Field(None, max_length=MAX_BATCH)
    range: WorkNoRange | None = Field(None, description="first and last work number")
    range_start: WorkNo | None = Field(None, description="alternative to range.start")
    range_end: WorkNo | None = Field(None, description="alternative to range.end")


class SkillRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    queue_id: int
    skill_weight: int


class AgentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    work_no: int
    platform_role: str
    agent_type: str
    phone: str
    user_id: int | None
    intelligent: bool
    single_phone: bool
    display_through: bool
    agent_weight: int
    auto_answer: bool
    skills: list[SkillRead]


class AgentList(BaseModel):
    items: list[AgentRead]
    total: int


class BatchResult(BaseModel):
    items: list[AgentRead]
    created: int
    updated: int
    total: int

"""Request and response bodies of verification methods and records (R-IDV-1, R-IDV-4)."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from agentdesk.kit.validation import Id
from agentdesk.verification.models import CODE_PATTERN, NAME_MAX

MethodName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX)
]
MethodCode = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]


class MethodWrite(BaseModel):
    """验证方式名称 / 验证方式编码 / 验证流程 / 是否启用 (guide figures 4-10/4-11)."""

    name: MethodName = Field(description="验证方式名称: ≤50 characters, unique in the tenant")
    code: MethodCode = Field(
        description="验证方式编码: letters, digits, underscore (≤32), unique in the tenant; "
        "pages ask getVerifyResult(code)"
    )
    flow_id: Id = Field(description="验证流程: an IVR flow of the tenant (published to enable)")
    enabled: bool = Field(True, description="是否启用")


class MethodEnabled(BaseModel):
    enabled: bool


class MethodRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    code: str
    flow_id: int
    flow_name: str = ""
    enabled: bool
    created_at: datetime | None
    updated_at: datetime | None


class MethodList(BaseModel):
    items: list[MethodRead]
    total: int


class RecordRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    started_at: datetime
    ended_at: datetime | None
    callid: str
    caller: str
    agent_work_no: str
    method_name: str
    method_code: str
    result: str
    return1: str
    return2: str
    return3: str
    duration_seconds: int
    ended_reason: str


class RecordList(BaseModel):
    items: list[RecordRead]
    total: int

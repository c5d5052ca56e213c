"""Request and response bodies of called configuration [被叫配置] and access codes (R-CC-2)."""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from agentdesk.kit.validation import Id


def _digits(value: str) -> str:
    if value and not value.isdigit():
        raise PydanticCustomError("digits", "may contain digits only")
    return value


Extension = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=8),
    BeforeValidator(lambda v: "" if v is None else v),  # runs first: null means no extension
    AfterValidator(_digits),
    Field(json_schema_extra={"pattern": "^[0-9]*$"}),
]


class AccessCodeRead(BaseModel):
    id: int
    code: str
    type: str


class AccessCodeList(BaseModel):
    items: list[AccessCodeRead]
    total: int


DEVICE_TYPES = ("skill_queue", "ivr")


class CalledWrite(BaseModel):
    """Access code (+ optional extension) → a skill queue of the same media type, or (device
    type ivr [IVR]) a published IVR flow of the tenant on an audio/video access code."""

    access_code_id: Id = Field(description="an access code assigned to this tenant")
    extension: Extension = Field("", description="optional digits [扩展码]")
    device_type: Literal[DEVICE_TYPES] = "skill_queue"
    queue_id: Id | None = Field(
        None, description="skill_queue: skill queue whose media type fits the access code"
    )
    flow_id: Id | None = Field(None, description="ivr: a published IVR flow [流程管理]")


class CalledRead(BaseModel):
    id: int
    access_code_id: int
    access_code: str
    extension: str
    dialled: str = Field(description="what a customer dials: access code + extension")
    device_type: str
    queue_id: int | None
    flow_id: int | None = None


class CalledList(BaseModel):
    items: list[CalledRead]
    total: int

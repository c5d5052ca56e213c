"""Request and response bodies of the platform (operations admin) API.

Rules live in `Field(...)` so that /openapi.json carries them and the admin UI shows exactly
the ranges and lengths the server enforces. Updates are PATCH bodies: a field left out keeps
its value; `tenant_id: null` means "unassign".
"""

import re
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from agentdesk.kit.validation import PASSWORD_RULE, USERNAME_RULE, Id, Int64

T = TypeVar("T")
LICENCE_MAX = 100_000


def _matching(pattern: str, description: str):
    """A pattern rule with a message people can act on (pydantic's quotes the regex)."""
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise PydanticCustomError("string_pattern_mismatch", description)
        return value

    return AfterValidator(check)


TenantCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=32),
    _matching(
        r"[a-z0-9][a-z0-9_-]*",
        "use lower-case letters, digits, - and _ only, starting with a letter or digit",
    ),
    Field(json_schema_extra={"pattern": "^[a-z0-9][a-z0-9_-]*$"}, examples=["acme"]),
]
TenantName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Licence = Annotated[int, Field(ge=0, le=LICENCE_MAX)]
Username = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    _matching(r"[A-Za-z0-9._@-]+", "use letters, digits and . _ @ - only (no spaces)"),
    Field(json_schema_extra={"pattern": "^[A-Za-z0-9._@-]+$", **USERNAME_RULE}),
]
Password = Annotated[
    str, StringConstraints(min_length=8, max_length=200), Field(json_schema_extra=PASSWORD_RULE)
]
AccessCodeDigits = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=24),
    _matching(r"[0-9]+", "digits only"),
    Field(json_schema_extra={"pattern": "^[0-9]+$"}, examples=["960358"]),
]
PhoneNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=24),
    _matching(r"\+?[0-9]+", "digits only, optionally starting with +"),
    Field(json_schema_extra={"pattern": "^\\+?[0-9]+$"}, examples=["4008009600"]),
]
AccessCodeType = Literal["voice_video", "multimedia"]


def _drop_null_defaults(schema: dict) -> None:
    for prop in schema.get("properties", {}).values():
        if prop.get("default", ...) is None:
            del prop["default"]


class PatchModel(BaseModel):
    """A PATCH body: fields left out stay as they are, so none has a default to advertise.

    Non-nullable fields default to None only to tell "left out" apart (`exclude_unset`); an
    explicit null for them fails validation like any other wrong type.
    """

    model_config = ConfigDict(json_schema_extra=_drop_null_defaults)

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True)


class Page(BaseModel, Generic[T]):
    """One page of a list: the items and how many there are in all."""

    items: list[T]
    total: int


# ---- tenants -------------------------------------------------------------------------------


class TenantCreate(BaseModel):
    code: TenantCode
    name: TenantName
    licence_audio: Licence = 0
    licence_video: Licence = 0
    licence_multimedia: Licence = 0
    licence_allround: Licence = 0
    licence_intelligent: Licence = 0
    admin_username: Username | None = Field(
        default=None, description="creates the tenant's admin [租户管理员] with this login"
    )
    admin_password: Password | None = Field(
        default=None, description="required with admin_username"
    )


class TenantUpdate(PatchModel):
    """Partial update; the code is fixed once created (logins and the simulator use it)."""

    name: TenantName = None
    licence_audio: Licence = None
    licence_video: Licence = None
    licence_multimedia: Licence = None
    licence_allround: Licence = None
    licence_intelligent: Licence = None


class AgentUsageRead(BaseModel):
    """How many agents of each licensed kind the tenant has configured."""

    audio: int = 0
    video: int = 0
    multimedia: int = 0
    allround: int = 0
    intelligent: int = 0


class TenantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    licence_audio: int
    licence_video: int
    licence_multimedia: int
    licence_allround: int
    licence_intelligent: int
    in_use: AgentUsageRead = Field(default_factory=AgentUsageRead)


# ---- access codes and outbound numbers ---------------------------------------------------------


class AccessCodeCreate(BaseModel):
    code: AccessCodeDigits
    type: AccessCodeType = "voice_video"
    tenant_id: Id | None = Field(default=None, description="assign to this tenant; null: none")


class AccessCodeUpdate(PatchModel):
    code: AccessCodeDigits = None
    type: AccessCodeType = None
    tenant_id: Id | None = Field(default=None, description="null unassigns the code")


class AccessCodeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    type: str
    tenant_id: int | None


class OutboundNumberCreate(BaseModel):
    number: PhoneNumber
    tenant_id: Id | None = Field(default=None, description="assign to this tenant; null: none")


class OutboundNumberUpdate(PatchModel):
    number: PhoneNumber = None
    tenant_id: Id | None = Field(default=None, description="null unassigns the number")


class OutboundNumberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    tenant_id: int | None


# ---- system parameters -------------------------------------------------------------------------


class SystemParameterRead(BaseModel):
    key: str
    value: int
    default: int
    minimum: int
    maximum: int
    label_zh: str
    label_en: str


class SystemParameterUpdate(BaseModel):
    value: Int64 = Field(description="must lie within the parameter's minimum and maximum")

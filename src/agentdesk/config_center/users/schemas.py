"""Request and response bodies of business accounts [业务账号], roles and permissions."""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from agentdesk.auth.permissions import AGENT, TENANT_ADMIN, TENANT_PERMISSIONS
from agentdesk.kit.validation import PASSWORD_RULE, USERNAME_RULE, Id

MIN_PASSWORD = 8
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]+$")
CUSTOM = "custom"  # no built-in permissions: only those of the custom role


def _username(value: str) -> str:
    if not USERNAME.match(value):
        raise PydanticCustomError("username", "letters, digits and . _ @ - only (no spaces)")
    return value


Username = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        json_schema_extra={"pattern": USERNAME.pattern, **USERNAME_RULE},
    ),
    AfterValidator(_username),
]
Password = Annotated[
    str, Field(min_length=MIN_PASSWORD, max_length=200, json_schema_extra=PASSWORD_RULE)
]
Permission = Literal[tuple(TENANT_PERMISSIONS)]


class UserUpdate(BaseModel):
    """A business account of the tenant (full update; the password has its own route)."""

    username: Username
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    role: Literal[AGENT, TENANT_ADMIN, CUSTOM] = Field(
        AGENT, description="built-in role; custom = only the custom role's permissions"
    )
    custom_role_id: Id | None = Field(
        None, description="a role of this tenant, adds its permissions"
    )
    active: bool = True


class UserCreate(UserUpdate):
    password: Password


class PasswordSet(BaseModel):
    password: Password


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: str
    custom_role_id: int | None
    active: bool


class UserList(BaseModel):
    items: list[UserRead]
    total: int


class RoleWrite(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    permissions: list[Permission] = Field(default_factory=list)


class RoleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    permissions: list[str]


class RoleList(BaseModel):
    items: list[RoleRead]
    total: int


class PermissionRead(BaseModel):
    key: str
    label_zh: str
    label_en: str


class PermissionList(BaseModel):
    items: list[PermissionRead]
    total: int

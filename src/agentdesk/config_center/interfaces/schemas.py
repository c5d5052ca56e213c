"""Request and response bodies of the interface API (R-EXT-1, R-EXT-2).

The auth header value is write-only: it is accepted in requests (SecretStr, so it never shows in
a repr or a log line) and no response carries it; responses only say whether one is set.
"""

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr
from pydantic_core import PydanticCustomError

from agentdesk.config_center.interfaces.models import (
    TIMEOUT_MS_DEFAULT,
    TIMEOUT_MS_MAX,
    TIMEOUT_MS_MIN,
)
from agentdesk.kit.outbound import parse_target
from agentdesk.kit.validation import Id

HEADER_NAME_RE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
HEADER_VALUE_RE = re.compile(r"[\x20-\x7e]*")
# Headers the call sets itself, or that would change how the request is framed.
RESERVED_HEADERS = frozenset(
    {
        "host",
        "content-type",
        "content-length",
        "connection",
        "transfer-encoding",
        "keep-alive",
        "upgrade",
        "te",
        "trailer",
        "expect",
        "accept-encoding",
    }
)


def _strip_required(value: str) -> str:
    value = value.strip()
    if not value:
        raise PydanticCustomError("string_too_short", "must not be empty")
    return value


def _check_url(value: str) -> str:
    try:
        return parse_target(value).url
    except ValueError as exc:
        raise PydanticCustomError("url", "{reason}", {"reason": str(exc)}) from None


def _check_header_name(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not HEADER_NAME_RE.fullmatch(value):
        raise PydanticCustomError(
            "header_name", "letters, digits and !#$%&'*+.^_`|~- only (an HTTP header name)"
        )
    if value.lower() in RESERVED_HEADERS or value.lower().startswith("proxy-"):
        raise PydanticCustomError("reserved", "the call sets this header itself")
    return value


def _check_header_value(value: SecretStr | None) -> SecretStr | None:
    if value is None or value.get_secret_value() == "":
        return None
    if not HEADER_VALUE_RE.fullmatch(value.get_secret_value()):
        raise PydanticCustomError(
            "header_value", "printable ASCII characters only (no line breaks)"
        )
    return value


class InterfaceWrite(BaseModel):
    """An interface as the operations admin registers it (create and full update)."""

    name: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_strip_required)] = (
        Field(description="unique on the platform; tenants see this name")
    )
    description: str = Field("", max_length=200)
    url: Annotated[str, Field(min_length=1, max_length=2048), AfterValidator(_check_url)] = Field(
        description="http(s) URL the POST goes to, e.g. https://crm.example.com/rest/v1/queryCustomer"
    )
    timeout_ms: int = Field(
        TIMEOUT_MS_DEFAULT,
        ge=TIMEOUT_MS_MIN,
        le=TIMEOUT_MS_MAX,
        description="time-out of the whole call, in milliseconds",
    )
    auth_header_name: Annotated[
        str | None, Field(max_length=64), AfterValidator(_check_header_name)
    ] = Field(None, description="optional header sent with each call, e.g. X-Api-Key")
    auth_header_value: Annotated[
        SecretStr | None, Field(max_length=1024), AfterValidator(_check_header_value)
    ] = Field(None, description="write-only; leave out to keep the current value")
    allow_private: bool = Field(
        False, description="let the call reach private / loopback addresses (internal networks)"
    )
    tenant_ids: list[Id] | None = Field(
        None, description="tenants that may use it [字典值映射]; leave out to keep the mapping"
    )


class InterfaceTenants(BaseModel):
    tenant_ids: list[Id] = Field(description="the complete list of mapped tenants")


class InterfaceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    url: str
    timeout_ms: int
    auth_header_name: str | None
    auth_header_set: bool
    allow_private: bool
    tenant_ids: list[int]
    created_at: datetime | None = None
    updated_at: datetime | None = None


class InterfaceList(BaseModel):
    items: list[InterfaceRead]
    total: int


class TenantInterfaceRead(BaseModel):
    """What a tenant sees of a mapped interface: its name, never its URL or header."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str


class TenantInterfaceList(BaseModel):
    items: list[TenantInterfaceRead]
    total: int


class InterfaceTestRequest(BaseModel):
    param: str = Field(
        min_length=1, max_length=64, description='the caller number sent as {"param": ...}'
    )


class DisplayField(BaseModel):
    label: str
    display: str
    mandatory: bool
    type: str
    masked: bool


class DisplayObject(BaseModel):
    name: str
    fields: list[DisplayField]


class InterfaceCallResult(BaseModel):
    """The parsed answer (`ok`), or the exact reason it could not be used (`error`)."""

    ok: bool
    objects: list[DisplayObject] = []
    error: str | None = None
    status: int | None = None
    elapsed_ms: int | None = None

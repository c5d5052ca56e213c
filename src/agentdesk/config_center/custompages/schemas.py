"""Request and response bodies of the custom-page API (R-EXT-3, R-TBL-3)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from agentdesk.config_center.custompages.models import (
    FIELD_NAME_MAX,
    INTERFACE_TYPES,
    LAYOUTS,
    MAX_FIELDS_PER_OBJECT,
    MAX_OBJECTS,
    NAME_MAX,
    OBJECT_NAME_MAX,
)
from agentdesk.kit.validation import Id


def _stripped(value: str) -> str:
    value = value.strip()
    if not value:
        raise PydanticCustomError("string_too_short", "must not be empty")
    return value


def _unique(values: list[str]) -> list[str]:
    seen = set()
    for value in values:
        if value in seen:
            raise PydanticCustomError("duplicate", "field {name} is chosen twice", {"name": value})
        seen.add(value)
    return values


FieldName = Annotated[
    str, Field(min_length=1, max_length=FIELD_NAME_MAX), AfterValidator(_stripped)
]


class PageObjectWrite(BaseModel):
    """An object of the internal interface [添加对象]."""

    name: Annotated[
        str, Field(min_length=1, max_length=OBJECT_NAME_MAX), AfterValidator(_stripped)
    ] = Field(description="对象名称, shown as the block's title")
    table_id: Id = Field(description="a published base table of the tenant")
    fields: Annotated[
        list[FieldName],
        Field(min_length=1, max_length=MAX_FIELDS_PER_OBJECT),
        AfterValidator(_unique),
    ] = Field(description="the base table's fields to show, in this order")


class CustomPageWrite(BaseModel):
    """A custom page as the tenant admin configures it (create and full update)."""

    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX), AfterValidator(_stripped)] = (
        Field(description="≤256 characters, unique in the tenant")
    )
    layout: Literal[LAYOUTS] = Field("block", description="block 分块布局 or tile 平铺布局")
    columns: int = Field(2, ge=2, le=4, description="排列个数: 2, 3 or 4 per row")
    interface_type: Literal[INTERFACE_TYPES] | None = Field(
        None, description="页面接口: external (an interface mapped to the tenant) or internal"
    )
    interface_id: Id | None = Field(None, description="the external interface (external only)")
    objects: list[PageObjectWrite] = Field(
        default_factory=list,
        json_schema_extra={"maxItems": MAX_OBJECTS},
        description=f"the internal interface's objects (internal only), at most {MAX_OBJECTS}",
    )


class PageObjectRead(BaseModel):
    name: str
    table_id: int
    fields: list[str]


class CustomPageRead(BaseModel):
    id: int
    name: str
    layout: str
    columns: int
    interface_type: str | None
    interface_id: int | None
    interface_name: str | None
    objects: list[PageObjectRead]
    published: bool
    published_at: datetime | None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class CustomPageList(BaseModel):
    items: list[CustomPageRead]
    total: int
    limit: int


class PreviewRequest(BaseModel):
    caller: str = Field(min_length=1, max_length=64, description="a sample caller number")


class RenderedField(BaseModel):
    label: str
    display: str
    mandatory: bool
    type: str
    masked: bool = False


class RenderedObject(BaseModel):
    name: str
    fields: list[RenderedField]


class RenderedPage(BaseModel):
    """What the page shows for one caller: the objects, or `error` (a clear message)."""

    page_id: int | None = None
    name: str | None = None
    layout: str | None = None
    columns: int | None = None
    interface_type: str | None = None
    objects: list[RenderedObject] = []
    error: str | None = None

"""Request and response bodies of the base-table API (R-TBL-1, R-TBL-2).

Single-field ranges live here (FastAPI enforces them and publishes them in /openapi.json for
the admin pages); rules across fields and the published-table rules live in `fields.py`.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agentdesk.config_center.basetables.fields import MASK_STYLES, TYPES
from agentdesk.kit.validation import PageNumber

FieldType = Literal[TYPES]
MaskStyle = Literal[MASK_STYLES]


class DictItem(BaseModel):
    key: str = Field(min_length=1, max_length=64, description="stored in the table and the CSV")
    value: str = Field(min_length=1, max_length=256, description="shown to users")


class FieldWrite(BaseModel):
    """One field of a table; send back `key` for an existing field to keep its data."""

    key: str | None = Field(None, max_length=16, description="omit for a new field")
    name: str = Field(min_length=1, max_length=64, description="unique in the table")
    index: bool = Field(False, description="at most one; always required; string or number")
    encrypted: bool = False
    required: bool = False
    type: FieldType = "string"
    length: int | None = Field(
        None, ge=1, le=256, description="string 1–256, number 1–30; only these two types"
    )
    mask: bool = Field(False, description="mask display [掩码展示]: string and number only")
    mask_style: MaskStyle | None = Field(None, description="last4 / first4, when masked")
    items: list[DictItem] | None = Field(
        None, max_length=200, description="value range [值范围]: dictionary only"
    )


class TableWrite(BaseModel):
    """A base table as the tenant admin configures it (create and full update)."""

    name: str = Field(min_length=1, max_length=64, description="unique in the tenant")
    description: str = Field("", max_length=256)
    fields: list[FieldWrite] = Field(default_factory=list, max_length=100)


class FieldRead(BaseModel):
    key: str
    name: str
    index: bool
    encrypted: bool
    required: bool
    type: str
    length: int | None
    mask: bool
    mask_style: str | None
    items: list[DictItem] | None


class TableRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    status: str
    published_at: datetime | None
    fields: list[FieldRead]
    row_count: int
    version: int
    created_at: datetime | None
    updated_at: datetime | None


class TableList(BaseModel):
    items: list[TableRead]
    total: int
    limit: int = Field(description="tables a tenant may have")


class RowRead(BaseModel):
    id: int
    values: dict[str, str] = Field(description="display values by field name (masked)")


class RowSearch(BaseModel):
    """A search of a table's rows, sent as a body so the value never shows in a URL."""

    q: str | None = Field(
        None, max_length=256, description="the index value, or part of an unencrypted value"
    )
    page: PageNumber = 1
    page_size: int = Field(20, ge=1, le=100)


class RowPage(BaseModel):
    fields: list[FieldRead]
    items: list[RowRead]
    total: int
    page: int
    page_size: int


class RejectedRow(BaseModel):
    line: int
    field: str = Field(description="empty when the whole row is refused")
    rule: str = Field(
        description="required, number, length, masked, date, time, dictionary, columns, "
        "duplicate, stored"
    )
    reason: str


class ImportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    table_id: int
    file_name: str
    file_size: int
    encoding: str
    mode: str
    status: str = Field(description="queued, running, done or failed")
    progress: int = Field(description="percent of the file read")
    processed_rows: int
    total_rows: int | None
    imported_rows: int
    rejected_count: int
    rejected: list[RejectedRow] = Field(description="the first 1000 rejected rows")
    error: str | None
    error_code: str | None = Field(
        description="rows_refused, interrupted, no_rows, table_deleted, table_changed, internal"
    )
    created_at: datetime | None
    finished_at: datetime | None


class ImportList(BaseModel):
    items: list[ImportRead]

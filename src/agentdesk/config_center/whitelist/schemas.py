"""Request and response bodies of the whitelist API (/api/ops/whitelist)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from agentdesk.kit.validation import UrlText


class WhitelistWrite(BaseModel):
    pattern: UrlText = Field(
        min_length=1,
        max_length=300,
        description="scheme://host[:port][/path-prefix]; host may start with '*.'",
    )
    allow_private: bool = Field(
        False, description="let the page check reach private/loopback addresses of this entry"
    )
    note: str = Field("", max_length=100)


class WhitelistRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    pattern: str
    scheme: str
    host: str
    port: int
    path_prefix: str
    allow_private: bool
    note: str
    created_at: datetime | None = None


class WhitelistList(BaseModel):
    items: list[WhitelistRead]
    total: int

"""Request and response bodies of the screen-pop API (R-POP)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agentdesk.config_center.screenpop.choices import (
    INTEGRATIONS,
    OPEN_MODES,
    PAGE_TYPES,
    PARAM_SOURCES,
    TABS,
)
from agentdesk.config_center.screenpop.popparams import CALL_DATA_KEYS
from agentdesk.kit.validation import Id, UrlText


class PopPageWrite(BaseModel):
    """A pop page as the tenant admin configures it (create and full update)."""

    tab: Literal[TABS] = Field("audio_video", description="音视频 / 多媒体")
    name: str = Field(min_length=1, max_length=50, description="页面名称")
    page_type: Literal[PAGE_TYPES] = Field("external", description="外部页面 / 内部页面")
    open_mode: Literal[OPEN_MODES] = Field("embed", description="嵌入 / 独立打开")
    url: UrlText = Field("", max_length=2048, description="external pages: the page's http(s) URL")
    custom_page_id: Id | None = Field(
        None, description="internal pages: a published custom page [页面配置] (audio/video tab)"
    )
    integration: Literal[INTEGRATIONS] = Field("get", description="URL GET / URL POST / Web API")
    enabled: bool = False
    secret: str | None = Field(
        None,
        min_length=16,
        max_length=128,
        description="optional: sign the parameters with HMAC-SHA256 (adk_ts, adk_sig)",
    )


class PopPageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    tab: str
    position: int
    name: str
    page_type: str
    open_mode: str
    url: str
    custom_page_id: int | None = None
    integration: str
    enabled: bool
    signed: bool = Field(description="whether a secret is set (the secret is never returned)")
    whitelisted: bool
    check_result: dict | None
    param_count: int


class PopPageList(BaseModel):
    items: list[PopPageRead]
    total: int
    limit: int = Field(description="max pop pages per tab (system parameter)")


class PopEnabled(BaseModel):
    enabled: bool


class PopMove(BaseModel):
    direction: Literal["up", "down"]


class PopParamWrite(BaseModel):
    name: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.\-]+$",
        description="弹屏URL传递参数: letters, digits, _ . -",
    )
    source: Literal[PARAM_SOURCES] = Field("call_data", description="呼叫数据 / 随路数据")
    key: str = Field(min_length=1, max_length=64, description="关联系统数据参数")


class PopParamRead(PopParamWrite):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int


class PopParamList(BaseModel):
    items: list[PopParamRead]
    total: int
    limit: int = Field(description="max parameters per page (system parameter)")
    call_data_keys: list[str] = list(CALL_DATA_KEYS)


class SampleCall(BaseModel):
    """Call data for the "try it" preview; every field has a sample value."""

    callerNum: str = Field("13800000001", max_length=32)
    calledNum: str = Field("960358", max_length=32)
    callid: str = Field("1700000000-0001", max_length=40)
    mediaType: str = Field("1", max_length=2)
    callType: str = Field("0", max_length=2)
    workNo: str = Field("101", max_length=8)
    callskill: str = Field("defaultVoiceSkill", max_length=64)
    callskillid: str = Field("1", max_length=20)
    agentName: str = Field("agent101", max_length=64)
    calldata: dict[str, str] = Field(default_factory=dict, description="attached data [随路数据]")


class PopInstruction(BaseModel):
    """How the workbench opens one page for one call."""

    id: int
    name: str
    open_mode: str
    integration: str
    page_type: str
    status: Literal["open", "blocked"]
    reason: str = ""
    reason_code: str = Field("", description="why the page is blocked, as a stable code")
    method: Literal["GET", "POST"] = "GET"
    url: str = Field("", description="GET: the final URL; POST: the form's action")
    fields: list[tuple[str, str]] = Field(default_factory=list, description="POST form fields")
    page_origin: str = Field("", description="the origin messages from this page must have")

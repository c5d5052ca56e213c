"""Request and response bodies of the IVR flow API (/api/config/ivr-flows)."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from agentdesk.ivr.models import DESCRIPTION_MAX, NAME_MAX

FlowName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX)
]
Digits = Annotated[str, StringConstraints(pattern=r"^[0-9*#]{1,64}$")]
DataKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,31}$")]
DataValue = Annotated[str, StringConstraints(max_length=200)]


class FlowWrite(BaseModel):
    """Create, or update (a left-out `definition` keeps the draft as it is)."""

    name: FlowName = Field(description="≤50 characters, unique in the tenant")
    description: str = Field("", max_length=DESCRIPTION_MAX)
    definition: dict[str, Any] | None = Field(
        None, description="the draft: {start, steps}; checked fully on publish (see docs)"
    )


class FlowCopy(BaseModel):
    name: FlowName | None = Field(None, description="default: the name with a -copy suffix")


class FlowSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    published_version: int
    published_at: datetime | None
    updated_at: datetime | None
    # The draft differs from what calls run (or nothing is published yet).
    draft_changed: bool = False
    steps: int = 0


class FlowRead(FlowSummary):
    draft: dict[str, Any]
    published: dict[str, Any] | None


class FlowList(BaseModel):
    items: list[FlowSummary]
    total: int


class FlowProblem(BaseModel):
    step_id: str | None
    field: str
    rule: str
    message: str


class DiagramNode(BaseModel):
    id: str
    type: str
    label: str
    column: int
    row: int
    start: bool = False


class DiagramEdge(BaseModel):
    source: str
    target: str
    label: str
    missing: bool = False


class Diagram(BaseModel):
    nodes: list[DiagramNode]
    edges: list[DiagramEdge]
    columns: int
    rows: int


class CheckRequest(BaseModel):
    definition: dict[str, Any]


class CheckResult(BaseModel):
    ok: bool
    problems: list[FlowProblem]
    diagram: Diagram


class TryEvent(BaseModel):
    type: Literal["begin", "digits", "timeout"]
    digits: Digits | None = Field(None, description="the keys typed (type digits)")


class TryRequest(BaseModel):
    version: Literal["draft", "published"] = "draft"
    event: TryEvent
    run: dict[str, Any] | None = Field(None, description="the run the last answer returned")
    data: dict[DataKey, DataValue] = Field(
        default_factory=dict, max_length=20, description="call data to begin with (begin only)"
    )


class TryStep(BaseModel):
    """One thing that happened, in order: kind say | wait | request | answer | transfer |
    return | release."""

    kind: str
    text: str | None = None
    audio: str | None = None
    deadline: float | None = None
    step_id: str | None = None
    interface: str | None = None
    body: Any = None
    status: int | None = None
    elapsed_ms: int | None = None
    error: str | None = None
    queue_id: int | None = None


class TryResult(BaseModel):
    now: float
    run: dict[str, Any]
    finished: bool
    waiting: bool
    step_id: str | None
    path: list[str]
    data: dict[str, str]
    events: list[TryStep]

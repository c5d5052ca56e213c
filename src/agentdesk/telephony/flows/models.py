"""What a flow running on a call keeps in the database, so any worker can continue it."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.storage.base import Base, BigId, IdMixin, TenantMixin

RUN_PURPOSES = ("entry", "queue", "wait", "verification")
ATTEMPT_STATES = ("pending", "calling", "answered", "done")


class IvrRun(IdMixin, TenantMixin, Base):
    """The flow a call is in now (one row per call; a new flow on the same call replaces it).

    `state` is `engine.Run.to_dict()`: current step, attached data (masked keys included
    while the flow needs them; the engine drops them when the flow ends), retries, deadline.
    `generation` counts the flows started on the call and `step_no` the outcomes applied in
    this one, so a late timer or interface answer for an earlier step is recognised."""

    __tablename__ = "ivr_runs"
    __table_args__ = (UniqueConstraint("call_id"),)

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("calls.id", ondelete="CASCADE"))
    flow_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("ivr_flows.id", ondelete="SET NULL"), nullable=True
    )
    # The published definition as it was when the flow started: editing the flow meanwhile
    # does not change a call already in it.
    definition: Mapped[dict] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(16), default="entry")
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    step_no: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # Verification only: the method, the agent kept bound to the call, the last answer.
    method_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    method_code: Mapped[str] = mapped_column(String(32), default="")
    method_name: Mapped[str] = mapped_column(String(64), default="")
    agent_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    verify_result: Mapped[str] = mapped_column(String(1), default="0")
    verify_returns: Mapped[list] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class IvrStepAttempt(IdMixin, Base):
    """One interface step of one run: pending → calling (claimed, lease) → answered → done.

    The HTTP call happens between `calling` and `answered`, outside any transaction; the
    answer is committed before the flow moves on, so a worker dying after the call never makes
    another one call again. `body` holds the request (masked digits included: their purpose)
    only until the call is made."""

    __tablename__ = "ivr_step_attempts"
    __table_args__ = (UniqueConstraint("run_id", "generation", "step_no"),)

    tenant_id: Mapped[int] = mapped_column(BigId, index=True)
    run_id: Mapped[int] = mapped_column(BigId, ForeignKey("ivr_runs.id", ondelete="CASCADE"))
    generation: Mapped[int] = mapped_column(Integer)
    step_no: Mapped[int] = mapped_column(Integer)
    step_id: Mapped[str] = mapped_column(String(32))
    interface_id: Mapped[int] = mapped_column(BigId)
    timeout_seconds: Mapped[float] = mapped_column(Float, default=5.0)
    body: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    calls_made: Mapped[int] = mapped_column(Integer, default=0)
    answer: Mapped[dict | list | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class CallPrompt(IdMixin, Base):
    """What the caller heard and where the call went (`agentdesk sim call --follow`).

    Prompt texts only: never digits the caller typed."""

    __tablename__ = "call_prompts"

    tenant_id: Mapped[int] = mapped_column(BigId, index=True)
    call_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("calls.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # say | route | end
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime)

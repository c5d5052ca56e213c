from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.storage.base import Base, BigId, IdMixin, TenantMixin

# ivr: the caller is in a flow (an IVR entry, a queue policy, or a verification).
CALL_STATES = ("queued", "ivr", "ringing", "dialing", "talking", "held", "ended")
AGENT_STATES = (
    "signed_out",
    "idle",
    "busy",
    "rest",
    "ringing",
    "dialing",
    "talking",
    "held",
    "acw",
    "verifying",
)


class Call(IdMixin, TenantMixin, Base):
    """A call, and once it has ended, its contact record [接触记录] (R-CC-5)."""

    __tablename__ = "calls"

    callid: Mapped[str] = mapped_column(String(40), unique=True)
    channel: Mapped[str] = mapped_column(String(16), default="simulator")
    direction: Mapped[int] = mapped_column(Integer, default=0)  # callType: 0 in, 1 out
    media: Mapped[str] = mapped_column(String(8), default="audio")  # audio | video
    caller: Mapped[str] = mapped_column(String(32), index=True)
    called: Mapped[str] = mapped_column(String(32), index=True)
    access_code: Mapped[str] = mapped_column(String(24), default="")
    extension: Mapped[str] = mapped_column(String(8), default="")
    queue_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("skill_queues.id", ondelete="SET NULL"), nullable=True, index=True
    )
    queue_name: Mapped[str] = mapped_column(String(20), default="")
    agent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("agents.id", ondelete="SET NULL"), nullable=True, index=True
    )
    work_no: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    agent_name: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    outcome: Mapped[str] = mapped_column(String(24), default="")
    ended_by: Mapped[str] = mapped_column(String(10), default="")
    attached_data: Mapped[dict] = mapped_column(JSON, default=dict)
    dtmf: Mapped[str] = mapped_column(String(200), default="")
    transfers: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    queued_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    offered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AgentPresence(Base):
    """An agent's live state (R-CC-4); the row is the lock for every change to that agent."""

    __tablename__ = "agent_presence"

    agent_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    tenant_id: Mapped[int] = mapped_column(BigId, index=True)
    state: Mapped[str] = mapped_column(String(12), default="signed_out", index=True)
    state_since: Mapped[datetime] = mapped_column(DateTime)
    idle_since: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    call_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    acw_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # Busy/rest asked for during a call or after-call work: applied when ACW ends.
    pending_state: Mapped[str] = mapped_column(String(12), default="")


class Timer(IdMixin, Base):
    """Something due at a time (queue time-out, ring time-out, end of ACW); any worker claims it."""

    __tablename__ = "timers"

    tenant_id: Mapped[int] = mapped_column(BigId, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    call_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)
    agent_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)

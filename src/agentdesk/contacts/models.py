"""The tables of contacts and presence."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.contacts.families import AUDIO_VIDEO, DEFAULT_CAPACITY
from agentdesk.storage.base import Base, BigId, IdMixin, TenantMixin


class Contact(IdMixin, TenantMixin, Base):
    """A contact (a call today, a chat tomorrow) from its first moment, and once it has
    ended, its contact record [接触记录] (R-CC-5). Its `state` follows the machine of its
    family (`contact_states.CONTACT_MACHINES`); `channel` names the adapter that carried it.
    The table keeps its first name, `calls`."""

    __tablename__ = "calls"

    callid: Mapped[str] = mapped_column(String(40), unique=True)
    channel: Mapped[str] = mapped_column(String(16), default="simulator")
    # Server defaults: rows written by the previous release (rolling upgrade) get them too.
    family: Mapped[str] = mapped_column(String(16), default=AUDIO_VIDEO, server_default=AUDIO_VIDEO)
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
    """An agent's live state in one media family (R-CC-4): one row per agent and family.
    The audio/video row is the lock for every change to that agent.

    `active` counts the contacts of the family the agent holds, against `capacity`
    (`presence.can_take_one_more`); `call_id` is the audio/video row's current call."""

    __tablename__ = "agent_presence"

    agent_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    family: Mapped[str] = mapped_column(
        String(16), primary_key=True, default=AUDIO_VIDEO, server_default=AUDIO_VIDEO
    )
    tenant_id: Mapped[int] = mapped_column(BigId, index=True)
    state: Mapped[str] = mapped_column(String(12), default="signed_out", index=True)
    state_since: Mapped[datetime] = mapped_column(DateTime)
    idle_since: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    call_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    acw_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # Busy/rest asked for during a call or after-call work: applied when ACW ends.
    pending_state: Mapped[str] = mapped_column(String(12), default="")
    capacity: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_CAPACITY[AUDIO_VIDEO], server_default="1"
    )
    active: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

"""Telephony tables: timers. Calls are audio/video contacts (`agentdesk.contacts.models`)."""

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.contacts.models import AgentPresence, Contact
from agentdesk.storage.base import Base, BigId, IdMixin

__all__ = ["AgentPresence", "Call", "Contact", "Timer"]

# A call is a contact of the audio/video family; telephony code says "call".
Call = Contact


class Timer(IdMixin, Base):
    """Something due at a time (queue time-out, ring time-out, end of ACW); any worker claims it."""

    __tablename__ = "timers"

    tenant_id: Mapped[int] = mapped_column(BigId, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    call_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)
    agent_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)

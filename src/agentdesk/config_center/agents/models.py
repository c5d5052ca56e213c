from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.storage.base import Base, BigId, IdMixin, TenantMixin, TimestampMixin

AGENT_TYPES = ("audio", "video", "multimedia", "allround")
PLATFORM_ROLES = ("operator", "inspector", "outbound")


class Agent(IdMixin, TenantMixin, TimestampMixin, Base):
    """An agent [座席] identified by its platform work number [平台工号] (R-CC-3)."""

    __tablename__ = "agents"
    __table_args__ = (UniqueConstraint("tenant_id", "work_no"),)

    work_no: Mapped[int] = mapped_column(Integer)
    platform_role: Mapped[str] = mapped_column(String(16), default="operator")
    agent_type: Mapped[str] = mapped_column(String(16), default="audio")
    phone: Mapped[str] = mapped_column(String(32), default="")
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    intelligent: Mapped[bool] = mapped_column(Boolean, default=False)
    single_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    display_through: Mapped[bool] = mapped_column(Boolean, default=False)
    agent_weight: Mapped[int] = mapped_column(Integer, default=1)
    auto_answer: Mapped[bool] = mapped_column(Boolean, default=True)


class AgentSkill(IdMixin, TenantMixin, Base):
    """An agent's skill queue with its skill weight [技能权值]."""

    __tablename__ = "agent_skills"
    __table_args__ = (UniqueConstraint("agent_id", "queue_id"),)

    agent_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    queue_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("skill_queues.id", ondelete="CASCADE"), index=True
    )
    skill_weight: Mapped[int] = mapped_column(Integer, default=1)

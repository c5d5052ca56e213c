from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.storage.base import Base, BigId, IdMixin, TenantMixin, TimestampMixin


class CalledConfig(IdMixin, TenantMixin, TimestampMixin, Base):
    """Called configuration [被叫配置]: access code + optional extension → a skill queue."""

    __tablename__ = "called_configs"
    __table_args__ = (UniqueConstraint("access_code_id", "extension"),)

    access_code_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("access_codes.id", ondelete="CASCADE"), index=True
    )
    # "" when no extension: keeps the unique constraint meaningful on every database.
    extension: Mapped[str] = mapped_column(String(8), default="")
    # skill_queue: the call queues in `queue_id`; ivr: the call enters flow `flow_id`.
    device_type: Mapped[str] = mapped_column(String(16), default="skill_queue")
    queue_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("skill_queues.id", ondelete="CASCADE"), index=True, nullable=True
    )
    flow_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("ivr_flows.id", ondelete="CASCADE"), index=True, nullable=True
    )

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.storage.base import Base, BigId, IdMixin, TenantMixin, TimestampMixin

QUEUE_TYPES = ("voice", "video", "multimedia", "voice_click", "video_click")
MULTIMEDIA_SUBTYPES = ("wechat", "email", "whatsapp", "web")
POLICY_ACTIONS = ("release", "transfer_queue", "transfer_ivr")
WAIT_TREATMENTS = ("default_tone", "custom_tone", "ivr")
HOLD_TREATMENTS = ("default_tone", "custom_tone")
ANSWER_MODES = ("announce_work_no", "silent")


class SkillQueue(IdMixin, TenantMixin, TimestampMixin, Base):
    """A skill queue [技能队列] (R-CC-1)."""

    __tablename__ = "skill_queues"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(20))
    max_wait_seconds: Mapped[int] = mapped_column(Integer, default=60)
    max_queued_calls: Mapped[int] = mapped_column(Integer, default=100)
    description: Mapped[str] = mapped_column(String(50), default="")
    type: Mapped[str] = mapped_column(String(16), default="voice")
    subtype: Mapped[str | None] = mapped_column(String(16), nullable=True)
    acw_seconds: Mapped[int] = mapped_column(Integer, default=5)
    # Policies [参数配置]: action plus target queue (or IVR flow, added by a later issue).
    timeout_action: Mapped[str] = mapped_column(String(16), default="release")
    timeout_target_queue_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("skill_queues.id", ondelete="SET NULL"), nullable=True
    )
    overflow_action: Mapped[str] = mapped_column(String(16), default="release")
    overflow_target_queue_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("skill_queues.id", ondelete="SET NULL"), nullable=True
    )
    no_agent_action: Mapped[str] = mapped_column(String(16), default="release")
    no_agent_target_queue_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("skill_queues.id", ondelete="SET NULL"), nullable=True
    )
    # The IVR flow of each *transfer to IVR* policy, and of the IVR waiting treatment.
    timeout_target_ivr_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("ivr_flows.id", ondelete="SET NULL"), nullable=True
    )
    overflow_target_ivr_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("ivr_flows.id", ondelete="SET NULL"), nullable=True
    )
    no_agent_target_ivr_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("ivr_flows.id", ondelete="SET NULL"), nullable=True
    )
    wait_ivr_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("ivr_flows.id", ondelete="SET NULL"), nullable=True
    )
    wait_treatment: Mapped[str] = mapped_column(String(16), default="default_tone")
    hold_treatment: Mapped[str] = mapped_column(String(16), default="default_tone")
    answer_mode: Mapped[str] = mapped_column(String(20), default="silent")

    @property
    def media_family(self) -> str:
        """Which agents/access codes may pair with it: audio/video vs multimedia."""
        return "multimedia" if self.type == "multimedia" else "voice_video"

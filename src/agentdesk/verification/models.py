"""Verification methods [身份验证流程] (guide figures 4-10/4-11) and records [身份认证记录]."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.storage.base import Base, BigId, IdMixin, TenantMixin, TimestampMixin

CODE_PATTERN = r"^[A-Za-z0-9_]{1,32}$"
NAME_MAX = 50
RETURN_MAX = 256
ENDED_REASONS = ("completed", "customer_hung_up", "cancelled", "error")


class VerificationMethod(IdMixin, TenantMixin, TimestampMixin, Base):
    """验证方式名称 / 验证方式编码 / 验证流程 / 是否启用."""

    __tablename__ = "verification_methods"
    __table_args__ = (UniqueConstraint("tenant_id", "code"), UniqueConstraint("tenant_id", "name"))

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    code: Mapped[str] = mapped_column(String(32))
    # A flow in use by a method cannot be deleted (the service says so; RESTRICT backs it).
    flow_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("ivr_flows.id", ondelete="RESTRICT"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class VerificationRecord(IdMixin, TenantMixin, Base):
    """One verification of one call. The method's name and code are copied so a record
    stays readable after the method is renamed or deleted. Never holds collected digits."""

    __tablename__ = "verification_records"
    __table_args__ = (Index("ix_verification_records_tenant_started", "tenant_id", "started_at"),)

    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    callid: Mapped[str] = mapped_column(String(40), index=True)
    caller: Mapped[str] = mapped_column(String(32), default="")
    agent_work_no: Mapped[str] = mapped_column(String(16), default="")
    method_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("verification_methods.id", ondelete="SET NULL"), nullable=True
    )
    method_name: Mapped[str] = mapped_column(String(NAME_MAX))
    method_code: Mapped[str] = mapped_column(String(32), index=True)
    # "0" not returned, "1" passed, "2" failed, "3" error (verification/answer.py).
    result: Mapped[str] = mapped_column(String(1), default="0")
    return1: Mapped[str] = mapped_column(String(RETURN_MAX), default="")
    return2: Mapped[str] = mapped_column(String(RETURN_MAX), default="")
    return3: Mapped[str] = mapped_column(String(RETURN_MAX), default="")
    duration_seconds: Mapped[int] = mapped_column(Integer, default=0)
    # completed | customer_hung_up | cancelled (by the agent) | error; "" while running.
    ended_reason: Mapped[str] = mapped_column(String(32), default="")

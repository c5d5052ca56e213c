"""IVR flows [流程管理]: a tenant's flow with a draft and a published definition."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.storage.base import Base, IdMixin, TenantMixin, TimestampMixin

NAME_MAX = 50
DESCRIPTION_MAX = 200


def empty_definition() -> dict:
    return {"start": "", "steps": []}


class IvrFlow(IdMixin, TenantMixin, TimestampMixin, Base):
    """One flow. Editing changes `draft`; publishing validates it and copies it to
    `published`, the only definition calls run (a running call keeps the version it began
    with, so publishing never changes a flow under a caller's feet)."""

    __tablename__ = "ivr_flows"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    description: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="")
    draft: Mapped[dict] = mapped_column(JSON, default=empty_definition)
    published: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # 0 = never published; bumped by each publish.
    published_version: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

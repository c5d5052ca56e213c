"""Custom pages [页面配置] (R-EXT-3, R-TBL-3): what an internal pop page shows and where its data
comes from — an enterprise interface mapped to the tenant, or up to five objects over the
tenant's base tables (the internal interface)."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.storage.base import Base, BigId, IdMixin, TenantMixin, TimestampMixin

LAYOUTS = ("block", "tile")  # 分块布局 / 平铺布局
INTERFACE_TYPES = ("external", "internal")  # 外部接口 / 内部接口
MAX_PAGES = 5
MAX_OBJECTS = 5
NAME_MAX = 256
OBJECT_NAME_MAX = 64
FIELD_NAME_MAX = 64
MAX_FIELDS_PER_OBJECT = 51  # a base table has at most 1 index, 30 ordinary, 20 encrypted fields


class CustomPage(IdMixin, TenantMixin, TimestampMixin, Base):
    """A page shown in the workbench when a call connects (through a pop page of type internal).

    Editing a published page keeps it published: the next call shows the new version."""

    __tablename__ = "custom_pages"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    layout: Mapped[str] = mapped_column(String(8), default="block")
    columns: Mapped[int] = mapped_column(Integer, default=2)
    interface_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    interface_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("external_interfaces.id", ondelete="SET NULL"), nullable=True
    )
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class CustomPageObject(IdMixin, TenantMixin, Base):
    """One object of the internal interface: a name, a base table and the fields shown."""

    __tablename__ = "custom_page_objects"

    page_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("custom_pages.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(OBJECT_NAME_MAX))
    # The base table's id; the base-table domain owns that table, so no foreign key here.
    table_id: Mapped[int] = mapped_column(BigId)
    fields: Mapped[list] = mapped_column(JSON, default=list)

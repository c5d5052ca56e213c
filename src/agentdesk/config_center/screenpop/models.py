"""Screen-pop pages [弹屏配置] of a tenant and their URL parameters (R-POP). The address
whitelist they are loaded from is its own domain (config_center.whitelist)."""

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.config_center.screenpop.choices import (  # noqa: F401 (named here for readers)
    INTEGRATIONS,
    OPEN_MODES,
    PAGE_TYPES,
    PARAM_SOURCES,
    TABS,
)
from agentdesk.storage.base import Base, BigId, IdMixin, TenantMixin, TimestampMixin


class PopPage(IdMixin, TenantMixin, TimestampMixin, Base):
    """One pop page of a tab, opened in `position` order when a call connects."""

    __tablename__ = "pop_pages"
    # How other domains' messages name a row (storage.references).
    __table_args__ = {"info": {"label": "pop page"}}

    tab: Mapped[str] = mapped_column(String(16), default="audio_video")
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(50))
    page_type: Mapped[str] = mapped_column(String(16), default="external")
    open_mode: Mapped[str] = mapped_column(String(16), default="embed")
    url: Mapped[str] = mapped_column(String(2048), default="")
    # Internal pages: the published custom page [页面配置] shown with the caller's data.
    custom_page_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("custom_pages.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    integration: Mapped[str] = mapped_column(String(8), default="get")
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Signs the parameters (HMAC-SHA256) so the page's server can prove where they came from.
    secret: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # The last reachability/framing check, shown next to the page in the list.
    check_result: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class PopParam(IdMixin, TenantMixin, Base):
    """A configured URL parameter [弹屏URL传递参数] of an external page."""

    __tablename__ = "pop_params"
    __table_args__ = (UniqueConstraint("page_id", "name"),)

    page_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("pop_pages.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default="call_data")
    key: Mapped[str] = mapped_column(String(64))

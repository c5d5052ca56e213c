"""The platform's address whitelist [地址白名单] (R-POP): one row per origin (+ path prefix)."""

from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.storage.base import Base, IdMixin, TimestampMixin


class WhitelistEntry(IdMixin, TimestampMixin, Base):
    """An origin (+ optional path prefix) external pages may be loaded from.

    Stored normalised (lower-case punycode host, explicit port) so matching is a comparison of
    parts, never a substring search."""

    __tablename__ = "pop_whitelist"
    __table_args__ = (UniqueConstraint("scheme", "host", "port", "path_prefix"),)

    scheme: Mapped[str] = mapped_column(String(8))
    host: Mapped[str] = mapped_column(String(255))  # "crm.example.com" or "*.example.com"
    port: Mapped[int] = mapped_column(Integer)
    path_prefix: Mapped[str] = mapped_column(String(255), default="")
    # The page check may reach private/loopback addresses of this entry only when allowed.
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(100), default="")

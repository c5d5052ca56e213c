"""Enterprise interfaces [接口管理] (R-EXT-1) and their mapping to tenants [字典值映射].

An interface belongs to the platform: the operations admin registers it and maps it to the
tenants that may use it in their custom pages. Its auth header value is stored sealed
(AES-GCM, see sealing.py) and never leaves the server except in the call itself.
"""

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.storage.base import Base, BigId, IdMixin, TimestampMixin

TIMEOUT_MS_MIN, TIMEOUT_MS_MAX, TIMEOUT_MS_DEFAULT = 100, 30000, 3000


class ExternalInterface(IdMixin, TimestampMixin, Base):
    """A customer-query interface: POST {"param": caller number}, answer per R-EXT-2."""

    __tablename__ = "external_interfaces"
    __table_args__ = (UniqueConstraint("name"),)

    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(2048))
    timeout_ms: Mapped[int] = mapped_column(Integer, default=TIMEOUT_MS_DEFAULT)
    # Optional header sent with every call (e.g. "X-Api-Key"); the value is sealed.
    auth_header_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    auth_header_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The call may reach private/loopback addresses only when the ops admin allows it.
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)


class InterfaceTenant(Base):
    """One tenant allowed to use one interface [字典值映射]."""

    __tablename__ = "external_interface_tenants"

    interface_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("external_interfaces.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, index=True
    )

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.storage.base import Base, BigId, IdMixin, TimestampMixin

ACCESS_CODE_TYPES = ("voice_video", "multimedia")


class Tenant(IdMixin, TimestampMixin, Base):
    __tablename__ = "tenants"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # Licences [座席数]: how many agents of each type the tenant may configure.
    licence_audio: Mapped[int] = mapped_column(Integer, default=0)
    licence_video: Mapped[int] = mapped_column(Integer, default=0)
    licence_multimedia: Mapped[int] = mapped_column(Integer, default=0)
    licence_allround: Mapped[int] = mapped_column(Integer, default=0)
    licence_intelligent: Mapped[int] = mapped_column(Integer, default=0)


class AccessCode(IdMixin, TimestampMixin, Base):
    """A hotline number [接入码], owned by the platform and assigned to at most one tenant."""

    __tablename__ = "access_codes"

    code: Mapped[str] = mapped_column(String(24), unique=True)
    type: Mapped[str] = mapped_column(String(16), default="voice_video")
    tenant_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenants.id", ondelete="SET NULL"), index=True, nullable=True
    )


class OutboundNumber(IdMixin, TimestampMixin, Base):
    """A caller number [外呼主叫号码] the tenant's agents present on outbound calls."""

    __tablename__ = "outbound_numbers"

    number: Mapped[str] = mapped_column(String(24), unique=True)
    tenant_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenants.id", ondelete="SET NULL"), index=True, nullable=True
    )


class SystemParameter(Base):
    __tablename__ = "system_parameters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)

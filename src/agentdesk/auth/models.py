from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.storage.base import Base, BigId, IdMixin, TimestampMixin


class Role(IdMixin, TimestampMixin, Base):
    """A tenant-defined role: a name and a set of tenant permissions."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    tenant_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(50))
    permissions: Mapped[list] = mapped_column(JSON, default=list)


class User(IdMixin, TimestampMixin, Base):
    """A login. Operations admins have no tenant; everyone else belongs to exactly one."""

    __tablename__ = "users"

    tenant_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenants.id", ondelete="CASCADE"), index=True, nullable=True
    )
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))  # ops_admin | tenant_admin | agent | custom
    custom_role_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("roles.id", ondelete="SET NULL"), nullable=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or "log out everywhere": old session cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)


class ApiToken(IdMixin, Base):
    """A bearer token for the REST API. Only its SHA-256 is stored; it is shown once."""

    __tablename__ = "api_tokens"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class UserSession(IdMixin, Base):
    """A browser login. The cookie carries a random key; only its SHA-256 is stored, so logging
    out (deleting the row) really ends the session, whatever copies of the cookie exist."""

    __tablename__ = "user_sessions"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class LoginAttempt(IdMixin, Base):
    """One login attempt not (yet) known to have succeeded: the throttle counts these rows.

    Written before the password is checked, so concurrent guesses (other workers included)
    see each other; deleted for the account when a login succeeds, pruned when old."""

    __tablename__ = "login_attempts"

    account: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime, index=True)

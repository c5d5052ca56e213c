"""Base tables [基础表] of a tenant, their rows and their CSV import jobs (R-TBL-1, R-TBL-2).

A table's fields live in one JSON column (a list of field dicts, see `fields.py`): they are
always read and written together, and the pop path reads a table's definition and its rows in
one query. Rows are one table for all base tables:

* `index_key`: the index field's value, stripped — or, for an encrypted index field, its blind
  index (keyed hash) — under a unique (tenant_id, table_id, index_key) index: the pop lookup
  and the duplicate check are one index probe;
* `plain`: the other unencrypted values joined by U+001F, in the order of their field's slot;
* `secret`: the encrypted values, joined the same way and sealed together in ONE AES-GCM
  envelope per row (per-field envelopes would cost twenty encryptions per row on import).
"""

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from agentdesk.storage.base import Base, BigId, IdMixin, TenantMixin, TimestampMixin

DRAFT, PUBLISHED = "draft", "published"
JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED = "queued", "running", "done", "failed"
JOB_ACTIVE = (JOB_QUEUED, JOB_RUNNING)
INDEX_NONE, INDEX_PLAIN, INDEX_BLIND = "none", "plain", "blind"


class BaseTable(IdMixin, TenantMixin, TimestampMixin, Base):
    """A base table [基础表]: name, description, fields; rows once published."""

    __tablename__ = "base_tables"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)
    __mapper_args__ = {"eager_defaults": True}  # timestamps readable after flush

    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(256), default="")
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    fields: Mapped[list] = mapped_column(JSON, default=list)
    # How rows are found by their index (none / plain value / blind index), kept in step with
    # `fields` so the pop lookup needs no second query to know which key to probe.
    index_mode: Mapped[str] = mapped_column(String(8), default=INDEX_NONE)
    # Field keys are f1, f2, …: never reused, so stored values never change meaning.
    next_field_no: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped by every change of the definition: an import checks it did not change under it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    row_count: Mapped[int] = mapped_column(Integer, default=0)


class BaseTableRow(IdMixin, TenantMixin, Base):
    """One row of a base table (written by imports only, in bulk).

    tenant_id leads the one unique index (tenant_id, table_id, index_key) — the pop lookup's
    probe, the duplicate check and tenant isolation in one index — and is not a foreign key:
    a row belongs to its tenant through `table_id`, which cascades. Every index and foreign
    key is paid per row on import (see bench/base_tables.py)."""

    __tablename__ = "base_table_rows"
    __table_args__ = (UniqueConstraint("tenant_id", "table_id", "index_key"),)

    tenant_id: Mapped[int] = mapped_column(BigId)
    table_id: Mapped[int] = mapped_column(BigId, ForeignKey("base_tables.id", ondelete="CASCADE"))
    index_key: Mapped[str | None] = mapped_column(String(256), nullable=True)
    plain: Mapped[str] = mapped_column(Text, default="")
    secret: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class ImportJob(IdMixin, TenantMixin, TimestampMixin, Base):
    """A background CSV import into a base table and its result [导入结果]."""

    __tablename__ = "base_table_imports"
    __mapper_args__ = {"eager_defaults": True}

    table_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("base_tables.id", ondelete="CASCADE"), index=True
    )
    table_version: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(255))
    file_size: Mapped[int] = mapped_column(Integer)
    encoding: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(8), default="append")
    status: Mapped[str] = mapped_column(String(16), default=JOB_QUEUED)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent of the file read
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    total_rows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    imported_rows: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[list] = mapped_column(JSON, default=list)  # the first REJECTED_CAP
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Which process runs it and when it last said so: a job nobody runs any more is failed.
    worker: Mapped[str] = mapped_column(String(64), default="")
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_by: Mapped[int | None] = mapped_column(BigId, nullable=True)

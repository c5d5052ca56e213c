"""jobs: the background job table (CSV imports and outbox pruning run on it)

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01 13:30:00

A new table; nothing existing changes shape. Imports still "queued" or "running" at the
upgrade have no job row (they were asyncio tasks of a server that has stopped to upgrade):
they are stored as failed with the reason the API already showed for them ("interrupted",
nothing was written: their transaction never committed), so the next import of their table
is accepted at once.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INTERRUPTED = "interrupted: the server stopped during the import; nothing was written"


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("tenant_id", BigId, nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("runs_on", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),  # fmt: skip
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_jobs_idempotency_key")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_status_due_at", ["status", "due_at"], unique=False)

    imports = sa.table(
        "base_table_imports",
        sa.column("status", sa.String),
        sa.column("error", sa.Text),
        sa.column("error_code", sa.String),
        sa.column("finished_at", sa.DateTime),
    )
    op.execute(
        imports.update()
        .where(imports.c.status.in_(("queued", "running")))
        .values(
            status="failed",
            error=INTERRUPTED,
            error_code="interrupted",
            finished_at=sa.func.current_timestamp(),
        )  # fmt: skip
    )


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_due_at")
    op.drop_table("jobs")

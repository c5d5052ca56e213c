"""ivr flows and identity verification: ivr_flows, verification_methods, verification_records

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-01 13:27:25

Three new tables (issue 10); no existing row changes. The verification permissions
(verification.perform / .configure / .records) are not data: tenant admins hold every tenant
permission by code (auth/permissions.py), so existing tenants' admins have them after the
upgrade with nothing to carry over, and custom roles get them when an admin grants them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ivr_flows",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("published", sa.JSON(), nullable=True),
        sa.Column("published_version", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ivr_flows_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ivr_flows")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_ivr_flows_tenant_id_name")),
    )
    with op.batch_alter_table("ivr_flows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ivr_flows_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "verification_methods",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("flow_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["flow_id"],
            ["ivr_flows.id"],
            name=op.f("fk_verification_methods_flow_id_ivr_flows"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_verification_methods_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_methods")),
        sa.UniqueConstraint(
            "tenant_id", "code", name=op.f("uq_verification_methods_tenant_id_code")
        ),
        sa.UniqueConstraint(
            "tenant_id", "name", name=op.f("uq_verification_methods_tenant_id_name")
        ),
    )
    with op.batch_alter_table("verification_methods", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_methods_flow_id"), ["flow_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_verification_methods_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "verification_records",
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("callid", sa.String(length=40), nullable=False),
        sa.Column("caller", sa.String(length=32), nullable=False),
        sa.Column("agent_work_no", sa.String(length=16), nullable=False),
        sa.Column("method_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("method_name", sa.String(length=50), nullable=False),
        sa.Column("method_code", sa.String(length=32), nullable=False),
        sa.Column("result", sa.String(length=1), nullable=False),
        sa.Column("return1", sa.String(length=256), nullable=False),
        sa.Column("return2", sa.String(length=256), nullable=False),
        sa.Column("return3", sa.String(length=256), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("ended_reason", sa.String(length=32), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["method_id"],
            ["verification_methods.id"],
            name=op.f("fk_verification_records_method_id_verification_methods"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_verification_records_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_records")),
    )
    with op.batch_alter_table("verification_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_records_callid"), ["callid"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_verification_records_method_code"), ["method_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_verification_records_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(
            "ix_verification_records_tenant_started", ["tenant_id", "started_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("verification_records", schema=None) as batch_op:
        batch_op.drop_index("ix_verification_records_tenant_started")
        batch_op.drop_index(batch_op.f("ix_verification_records_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_verification_records_method_code"))
        batch_op.drop_index(batch_op.f("ix_verification_records_callid"))

    op.drop_table("verification_records")
    with op.batch_alter_table("verification_methods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_methods_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_verification_methods_flow_id"))

    op.drop_table("verification_methods")
    with op.batch_alter_table("ivr_flows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ivr_flows_tenant_id"))

    op.drop_table("ivr_flows")

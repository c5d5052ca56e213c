"""IVR flows on calls: runs, interface step attempts, what the caller heard; queue policies and
called configurations that lead to a flow

Revision ID: 0008
Revises: 0007, 0004
Create Date: 2026-12-01 14:00:00

New tables only, plus nullable columns: existing rows keep every value (a called
configuration keeps its queue and gets no flow; a queue keeps its policies and gets no flow
targets). `called_configs.queue_id` becomes nullable (an IVR entry has no queue); rows that
have one keep it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
# Merges the heads of the two branches it builds on (IVR flows 0007, contacts 0004); the
# integrator may re-chain it linearly instead.
down_revision = "0007"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
QUEUE_FLOW_COLUMNS = (
    "timeout_target_ivr_id",
    "overflow_target_ivr_id",
    "no_agent_target_ivr_id",
    "wait_ivr_id",
)


def _id() -> sa.Column:
    return sa.Column("id", BIG_ID, autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "ivr_runs",
        sa.Column("call_id", BIG_ID, nullable=False),
        sa.Column("flow_id", BIG_ID, nullable=True),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("step_no", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("method_id", BIG_ID, nullable=True),
        sa.Column("method_code", sa.String(length=32), nullable=False),
        sa.Column("method_name", sa.String(length=64), nullable=False),
        sa.Column("agent_id", BIG_ID, nullable=True),
        sa.Column("verify_result", sa.String(length=1), nullable=False),
        sa.Column("verify_returns", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _id(),
        sa.Column("tenant_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_ivr_runs_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["flow_id"],
            ["ivr_flows.id"],
            name=op.f("fk_ivr_runs_flow_id_ivr_flows"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ivr_runs_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ivr_runs")),
        sa.UniqueConstraint("call_id", name=op.f("uq_ivr_runs_call_id")),
    )
    with op.batch_alter_table("ivr_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ivr_runs_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "ivr_step_attempts",
        sa.Column("tenant_id", BIG_ID, nullable=False),
        sa.Column("run_id", BIG_ID, nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("step_no", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(length=32), nullable=False),
        sa.Column("interface_id", BIG_ID, nullable=False),
        sa.Column("timeout_seconds", sa.Float(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("calls_made", sa.Integer(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        _id(),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ivr_runs.id"],
            name=op.f("fk_ivr_step_attempts_run_id_ivr_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ivr_step_attempts")),
        sa.UniqueConstraint(
            "run_id",
            "generation",
            "step_no",
            name=op.f("uq_ivr_step_attempts_run_id_generation_step_no"),
        ),
    )
    with op.batch_alter_table("ivr_step_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ivr_step_attempts_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ivr_step_attempts_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "call_prompts",
        sa.Column("tenant_id", BIG_ID, nullable=False),
        sa.Column("call_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        _id(),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_call_prompts_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_prompts")),
    )
    with op.batch_alter_table("call_prompts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_prompts_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_prompts_tenant_id"), ["tenant_id"], unique=False)

    with op.batch_alter_table("skill_queues", schema=None) as batch_op:
        for column in QUEUE_FLOW_COLUMNS:
            batch_op.add_column(sa.Column(column, BIG_ID, nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_skill_queues_{column}_ivr_flows"),
                "ivr_flows",
                [column],
                ["id"],
                ondelete="SET NULL",
            )

    with op.batch_alter_table("called_configs", schema=None) as batch_op:
        batch_op.alter_column("queue_id", existing_type=BIG_ID, nullable=True)
        batch_op.add_column(sa.Column("flow_id", BIG_ID, nullable=True))
        batch_op.create_index(batch_op.f("ix_called_configs_flow_id"), ["flow_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_called_configs_flow_id_ivr_flows"),
            "ivr_flows",
            ["flow_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    # IVR entries have no queue: they cannot survive a schema where every entry has one.
    op.execute("DELETE FROM called_configs WHERE queue_id IS NULL")
    with op.batch_alter_table("called_configs", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_called_configs_flow_id_ivr_flows"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_called_configs_flow_id"))
        batch_op.drop_column("flow_id")
        batch_op.alter_column("queue_id", existing_type=BIG_ID, nullable=False)
    with op.batch_alter_table("skill_queues", schema=None) as batch_op:
        for column in QUEUE_FLOW_COLUMNS:
            batch_op.drop_constraint(
                batch_op.f(f"fk_skill_queues_{column}_ivr_flows"), type_="foreignkey"
            )
            batch_op.drop_column(column)
    op.drop_table("call_prompts")
    op.drop_table("ivr_step_attempts")
    op.drop_table("ivr_runs")

"""contacts carry their media family; presence per agent and media family, with a capacity

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 13:45:00

1. `calls` (every contact and its contact record) gains `family`: audio/video for audio and
   video calls (every existing row), multimedia for anything else.
2. `agent_presence` becomes one row per agent *and media family* (primary key
   `(agent_id, family)`), with `capacity` (how many contacts of the family the agent may hold)
   and `active` (how many they hold). Every existing row becomes the agent's audio/video row,
   capacity 1, holding 1 when it has a current call, else 0.

The new columns keep their server defaults, so hosts still running the previous release
(which write calls and presence rows without them) keep working during a rolling upgrade.
The downgrade keeps the audio/video rows and drops the others.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(
            sa.Column("family", sa.String(16), nullable=False, server_default="audio_video")
        )
    op.execute(
        "UPDATE calls SET family = CASE WHEN media IN ('audio', 'video')"
        " THEN 'audio_video' ELSE 'multimedia' END"
    )

    with op.batch_alter_table("agent_presence") as batch:
        batch.add_column(
            sa.Column("family", sa.String(16), nullable=False, server_default="audio_video")
        )
        batch.add_column(sa.Column("capacity", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("active", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE agent_presence SET active = CASE WHEN call_id IS NULL THEN 0 ELSE 1 END")
    with op.batch_alter_table("agent_presence") as batch:
        batch.drop_constraint("pk_agent_presence", type_="primary")
        batch.create_primary_key("pk_agent_presence", ["agent_id", "family"])


def downgrade() -> None:
    op.execute("DELETE FROM agent_presence WHERE family <> 'audio_video'")
    with op.batch_alter_table("agent_presence") as batch:
        batch.drop_constraint("pk_agent_presence", type_="primary")
        batch.create_primary_key("pk_agent_presence", ["agent_id"])
    with op.batch_alter_table("agent_presence") as batch:
        batch.drop_column("active")
        batch.drop_column("capacity")
        batch.drop_column("family")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("family")

"""usage events keyed per source, parked (refused) usage events, budgets as hard limits

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 02:30:00.000000

Additive: ``usage_events.source`` defaults to '' (events stored before sources were recorded), so
code of 0004 keeps inserting; its ``ON CONFLICT DO NOTHING`` names no constraint and holds with the
wider key, which revision 0006 puts in place.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column(
        "usage_events", sa.Column("source", sa.Text(), server_default=sa.text("''"), nullable=False), schema="billing"
    )
    op.add_column(
        "budgets",
        sa.Column("hard_limit", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        schema="billing",
    )
    op.create_table(
        "parked_usage_events",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("event_digest", sa.LargeBinary(), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="1", nullable=False),
        sa.Column("parked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_tried_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "event_digest", name="uq_parked_usage_events_event"),
        schema="billing",
    )
    op.create_index(
        "ix_parked_usage_events_parked_at", "parked_usage_events", ["parked_at", "id"], unique=False, schema="billing"
    )
    op.create_index("ix_parked_usage_events_user", "parked_usage_events", ["user_id"], unique=False, schema="billing")


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("usage_events", "source", schema="billing")
    op.drop_index("ix_parked_usage_events_user", table_name="parked_usage_events", schema="billing")
    op.drop_index("ix_parked_usage_events_parked_at", table_name="parked_usage_events", schema="billing")
    op.drop_table("parked_usage_events", schema="billing")
    op.drop_column("budgets", "hard_limit", schema="billing")

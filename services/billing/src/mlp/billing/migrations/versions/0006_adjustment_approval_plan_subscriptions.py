"""adjustments may wait for an operator's approval; the plan's Stripe prices; users' subscriptions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 02:10:00.000000

Additive: the status CHECK of reconciliation adjustments admits ``awaiting_approval`` (code that
does not know it never writes it). The CHECK is added ``NOT VALID`` and validated separately, so
the table is not locked against writes while existing rows are checked. The two new tables
are new: nothing reads them before this code.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADJUSTMENTS = "billing.reconciliation_adjustments"
STATUS_CHECK = "ck_reconciliation_adjustments_status"


def _status_check(statuses: str) -> None:
    op.execute(f"ALTER TABLE {ADJUSTMENTS} DROP CONSTRAINT {STATUS_CHECK}")
    op.execute(f"ALTER TABLE {ADJUSTMENTS} ADD CONSTRAINT {STATUS_CHECK} CHECK (status IN ({statuses})) NOT VALID")
    op.execute(f"ALTER TABLE {ADJUSTMENTS} VALIDATE CONSTRAINT {STATUS_CHECK}")


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    _status_check("'proposed', 'awaiting_approval', 'applied', 'rejected'")
    op.create_table(
        "stripe_plan_prices",
        sa.Column("price_book_id", sa.UUID(), nullable=False),
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("stripe_meter_id", sa.Text(), nullable=False),
        sa.Column("stripe_price_id", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["price_book_id"], ["billing.price_books.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("price_book_id", "metric", name="pk_stripe_plan_prices"),
        sa.UniqueConstraint("stripe_price_id"),
        schema="billing",
    )
    op.create_table(
        "stripe_subscriptions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("stripe_subscription_id", sa.Text(), nullable=False),
        sa.Column("stripe_customer_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("cancel_at_period_end", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("current_period_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_event_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_event_rank", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stripe_subscription_id"),
        schema="billing",
    )
    op.create_index("ix_stripe_subscriptions_user", "stripe_subscriptions", ["user_id", "created_at"], schema="billing")


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_table("stripe_subscriptions", schema="billing")
    op.drop_table("stripe_plan_prices", schema="billing")
    op.execute(f"UPDATE {ADJUSTMENTS} SET status = 'rejected' WHERE status = 'awaiting_approval'")
    _status_check("'proposed', 'applied', 'rejected'")

"""adjustments may wait for an operator's approval; the plan's Stripe prices; users' subscriptions

Revision ID: 0006_payment
Revises: 0006
Create Date: 2026-12-08 02:10:00.000000

Additive: a nullable ``approval`` column on reconciliation adjustments, and two new tables nothing
read before. Code of the release before never writes the column; it sees an adjustment waiting for
approval as ``proposed`` (a worker of that release retrying the very run that proposed it would
apply it), which is why the status CHECK is left as it is rather than widened (a dropped constraint).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_payment"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("reconciliation_adjustments", sa.Column("approval", sa.Text(), nullable=True), schema="billing")
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
    op.drop_column("reconciliation_adjustments", "approval", schema="billing")

"""usage events keyed by the sender's id, daily aggregates, price books per user, budgets, invoice cache

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 15:30:00.000000

The seed's usage, pricing, alert and invoice tables held no data yet and change shape entirely
(keys, columns, constraints), so they are dropped and created anew; downgrade restores the seed's.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("reconciliation_adjustments", schema="billing")
    op.drop_table("usage_events", schema="billing")
    op.drop_table("price_items", schema="billing")
    op.drop_table("price_books", schema="billing")
    op.drop_table("billing_alerts", schema="billing")
    op.drop_table("billing_invoices", schema="billing")
    op.create_table(
        "billing_invoices",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("stripe_invoice_id", sa.Text(), nullable=False),
        sa.Column("stripe_customer_id", sa.Text(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("subtotal_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("amount_due_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("amount_paid_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("hosted_invoice_url", sa.Text(), nullable=True),
        sa.Column(
            "lines", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column("source_event_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_rank", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_billing_invoices_currency_iso4217"),
        sa.CheckConstraint("jsonb_typeof(lines) = 'array'", name="ck_billing_invoices_lines_array"),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'paid', 'void', 'uncollectible')", name="ck_billing_invoices_status"
        ),
        sa.CheckConstraint("period_end >= period_start", name="ck_billing_invoices_period"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stripe_invoice_id"),
        schema="billing",
    )
    op.create_index(
        "ix_billing_invoices_user", "billing_invoices", ["user_id", "period_start"], unique=False, schema="billing"
    )
    op.create_table(
        "billing_alerts",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("threshold_percent", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_billing_alerts_currency_iso4217"),
        sa.CheckConstraint("kind IN ('budget_threshold', 'payment_failed')", name="ck_billing_alerts_kind"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "kind", "period_start", "threshold_percent", name="uq_billing_alerts_once"),
        schema="billing",
    )
    op.create_index(
        "ix_billing_alerts_user", "billing_alerts", ["user_id", "created_at"], unique=False, schema="billing"
    )
    op.create_table(
        "price_books",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_price_books_currency_iso4217"),
        sa.CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name="ck_price_books_window"),
        sa.PrimaryKeyConstraint("id"),
        schema="billing",
    )
    op.create_index(
        "ix_price_books_owner", "price_books", ["user_id", "effective_from"], unique=False, schema="billing"
    )
    op.create_table(
        "price_items",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("price_book_id", sa.UUID(), nullable=False),
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=20, scale=10), nullable=True),
        sa.Column("package_size", sa.Numeric(precision=38, scale=12), nullable=True),
        sa.Column(
            "tiers", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column("free_quantity", sa.Numeric(precision=38, scale=12), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("jsonb_typeof(tiers) = 'array'", name="ck_price_items_tiers_array"),
        sa.CheckConstraint("model IN ('per_unit', 'graduated', 'volume', 'package')", name="ck_price_items_model"),
        sa.CheckConstraint("free_quantity >= 0", name="ck_price_items_free_quantity_non_negative"),
        sa.ForeignKeyConstraint(["price_book_id"], ["billing.price_books.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("price_book_id", "metric", name="uq_price_items_book_metric"),
        schema="billing",
    )
    op.create_table(
        "usage_events",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=38, scale=12), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "properties", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("payload_hash", sa.LargeBinary(), nullable=False),
        sa.Column("price_book_id", sa.UUID(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("stripe_pushed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity >= 0", name="ck_usage_events_quantity_non_negative"),
        sa.PrimaryKeyConstraint("user_id", "event_id", name="pk_usage_events"),
        schema="billing",
    )
    op.create_table(
        "reconciliation_adjustments",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("run_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("invoice_id", sa.UUID(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'proposed'"), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stripe_object_id", sa.Text(), nullable=True),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_reconciliation_adjustments_currency_iso4217"),
        sa.CheckConstraint(
            "status IN ('proposed', 'applied', 'rejected')", name="ck_reconciliation_adjustments_status"
        ),
        sa.CheckConstraint("amount_minor <> 0", name="ck_reconciliation_adjustments_amount_non_zero"),
        sa.ForeignKeyConstraint(["invoice_id"], ["billing.billing_invoices.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["run_id"], ["billing.reconciliation_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        schema="billing",
    )
    op.create_index(
        "ix_reconciliation_adjustments_invoice_id",
        "reconciliation_adjustments",
        ["invoice_id"],
        unique=False,
        schema="billing",
    )
    op.create_index(
        "ix_reconciliation_adjustments_run_id", "reconciliation_adjustments", ["run_id"], unique=False, schema="billing"
    )
    op.create_index(
        "ix_reconciliation_adjustments_user",
        "reconciliation_adjustments",
        ["user_id", "created_at"],
        unique=False,
        schema="billing",
    )
    # ### end Alembic commands ###
    op.create_table(
        "budgets",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("monthly_amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("thresholds", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("webhook_url", sa.Text(), nullable=True),
        sa.Column("webhook_secret", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_budgets_currency_iso4217"),
        sa.CheckConstraint("monthly_amount_minor > 0", name="ck_budgets_amount_positive"),
        sa.PrimaryKeyConstraint("user_id"),
        schema="billing",
    )
    op.create_table(
        "usage_daily",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("price_book_id", sa.UUID(), nullable=False),
        sa.Column("shard", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=38, scale=12), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("events >= 0", name="ck_usage_daily_events_non_negative"),
        sa.CheckConstraint("quantity >= 0", name="ck_usage_daily_quantity_non_negative"),
        sa.PrimaryKeyConstraint("user_id", "day", "metric", "price_book_id", "shard", name="pk_usage_daily"),
        schema="billing",
    )
    op.add_column(
        "reconciliation_runs",
        sa.Column("users_total", sa.Integer(), server_default=sa.text("0"), nullable=False),
        schema="billing",
    )
    op.add_column(
        "reconciliation_runs",
        sa.Column("users_done", sa.Integer(), server_default=sa.text("0"), nullable=False),
        schema="billing",
    )


def downgrade() -> None:
    op.drop_column("reconciliation_runs", "users_done", schema="billing")
    op.drop_column("reconciliation_runs", "users_total", schema="billing")
    op.drop_table("usage_daily", schema="billing")
    op.drop_table("budgets", schema="billing")
    op.drop_table("reconciliation_adjustments", schema="billing")
    op.drop_table("usage_events", schema="billing")
    op.drop_table("price_items", schema="billing")
    op.drop_table("price_books", schema="billing")
    op.drop_table("billing_alerts", schema="billing")
    op.drop_table("billing_invoices", schema="billing")
    op.create_table(
        "billing_invoices",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("stripe_invoice_id", sa.Text(), nullable=True),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'draft'"), nullable=False),
        sa.Column("subtotal_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("hosted_invoice_url", sa.Text(), nullable=True),
        sa.Column(
            "lines", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column("finalized_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_billing_invoices_currency_iso4217"),
        sa.CheckConstraint("jsonb_typeof(lines) = 'array'", name="ck_billing_invoices_lines_array"),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'paid', 'void', 'uncollectible')", name="ck_billing_invoices_status"
        ),
        sa.CheckConstraint("period_end > period_start", name="ck_billing_invoices_period"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stripe_invoice_id"),
        schema="billing",
    )
    op.create_index(
        "ix_billing_invoices_user", "billing_invoices", ["user_id", "period_start"], unique=False, schema="billing"
    )
    op.create_index(
        "uq_billing_invoices_user_period",
        "billing_invoices",
        ["user_id", "period_start", "period_end", "currency"],
        unique=True,
        schema="billing",
        postgresql_where=sa.text("status <> 'void'"),
    )
    op.create_table(
        "billing_alerts",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("threshold_amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), server_default=sa.text("'monthly'"), nullable=False),
        sa.Column("channel", sa.Text(), server_default=sa.text("'email'"), nullable=False),
        sa.Column("destination", sa.Text(), nullable=True),
        sa.Column("last_triggered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.Text(), server_default=sa.text("'active'"), nullable=False),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("channel IN ('email', 'webhook')", name="ck_billing_alerts_channel"),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_billing_alerts_currency_iso4217"),
        sa.CheckConstraint("period IN ('daily', 'weekly', 'monthly')", name="ck_billing_alerts_period"),
        sa.CheckConstraint("status IN ('active', 'paused')", name="ck_billing_alerts_status"),
        sa.CheckConstraint("threshold_amount_minor > 0", name="ck_billing_alerts_threshold_positive"),
        sa.PrimaryKeyConstraint("id"),
        schema="billing",
    )
    op.create_index(
        "ix_billing_alerts_user", "billing_alerts", ["user_id", "created_at"], unique=False, schema="billing"
    )
    op.create_index(
        "uq_billing_alerts_user_name",
        "billing_alerts",
        ["user_id", "name"],
        unique=True,
        schema="billing",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "price_books",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("active_from", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("active_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'draft'"), nullable=False),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_price_books_currency_iso4217"),
        sa.CheckConstraint("status IN ('draft', 'active', 'archived')", name="ck_price_books_status"),
        sa.CheckConstraint("active_to IS NULL OR active_to > active_from", name="ck_price_books_active_window"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        schema="billing",
    )
    op.create_index(
        "uq_price_books_default_currency",
        "price_books",
        ["currency"],
        unique=True,
        schema="billing",
        postgresql_where=sa.text("is_default"),
    )
    op.create_table(
        "price_items",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("price_book_id", sa.UUID(), nullable=False),
        sa.Column("meter", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=20, scale=10), nullable=False),
        sa.Column(
            "tiers", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("jsonb_typeof(tiers) = 'array'", name="ck_price_items_tiers_array"),
        sa.CheckConstraint("unit_price >= 0", name="ck_price_items_unit_price_non_negative"),
        sa.ForeignKeyConstraint(["price_book_id"], ["billing.price_books.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("price_book_id", "meter", name="uq_price_items_book_meter"),
        schema="billing",
    )
    op.create_table(
        "usage_events",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("meter", sa.Text(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resource_type", sa.Text(), nullable=True),
        sa.Column("resource_id", sa.Text(), nullable=True),
        sa.Column("price_item_id", sa.UUID(), nullable=True),
        sa.Column("rated_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invoice_id", sa.UUID(), nullable=True),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_usage_events_currency_iso4217"),
        sa.CheckConstraint(
            "source IN ('identity', 'registry', 'evaluation', 'billing')", name="ck_usage_events_source"
        ),
        sa.CheckConstraint(
            "(rated_amount_minor IS NULL) = (currency IS NULL) AND (rated_amount_minor IS NULL) = (rated_at IS NULL)",
            name="ck_usage_events_rating_complete",
        ),
        sa.CheckConstraint(
            "invoice_id IS NULL OR rated_amount_minor IS NOT NULL", name="ck_usage_events_invoiced_rated"
        ),
        sa.CheckConstraint("quantity >= 0", name="ck_usage_events_quantity_non_negative"),
        sa.CheckConstraint("rated_amount_minor >= 0", name="ck_usage_events_rated_amount_minor_non_negative"),
        sa.ForeignKeyConstraint(["invoice_id"], ["billing.billing_invoices.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["price_item_id"], ["billing.price_items.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
        schema="billing",
    )
    op.create_index(
        "ix_usage_events_invoice_id",
        "usage_events",
        ["invoice_id"],
        unique=False,
        schema="billing",
        postgresql_where=sa.text("invoice_id IS NOT NULL"),
    )
    op.create_index(
        "ix_usage_events_unrated",
        "usage_events",
        ["occurred_at"],
        unique=False,
        schema="billing",
        postgresql_where=sa.text("rated_amount_minor IS NULL"),
    )
    op.create_index("ix_usage_events_user", "usage_events", ["user_id", "occurred_at"], unique=False, schema="billing")
    op.create_index(
        "ix_usage_events_user_meter",
        "usage_events",
        ["user_id", "meter", "occurred_at"],
        unique=False,
        schema="billing",
    )
    # ### end Alembic commands ###
    op.create_table(
        "reconciliation_adjustments",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("run_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("invoice_id", sa.UUID(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'proposed'"), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "metadata", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_reconciliation_adjustments_currency_iso4217"),
        sa.CheckConstraint(
            "status IN ('proposed', 'applied', 'rejected')", name="ck_reconciliation_adjustments_status"
        ),
        sa.CheckConstraint("amount_minor <> 0", name="ck_reconciliation_adjustments_amount_non_zero"),
        sa.ForeignKeyConstraint(["invoice_id"], ["billing.billing_invoices.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["run_id"], ["billing.reconciliation_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        schema="billing",
    )
    op.create_index(
        "ix_reconciliation_adjustments_invoice_id",
        "reconciliation_adjustments",
        ["invoice_id"],
        unique=False,
        schema="billing",
    )
    op.create_index(
        "ix_reconciliation_adjustments_run_id", "reconciliation_adjustments", ["run_id"], unique=False, schema="billing"
    )
    op.create_index(
        "ix_reconciliation_adjustments_user",
        "reconciliation_adjustments",
        ["user_id", "created_at"],
        unique=False,
        schema="billing",
    )

"""Reconciliation of rated usage against Stripe's invoices: runs and the adjustments they propose."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB

from mlp.billing.adapters.db.metadata import currency_column, metadata
from mlp.billing.adapters.db.tables_stripe import billing_invoices
from mlp.common.runtime.columns import (
    created_at_column,
    id_column,
    metadata_column,
    non_negative,
    one_of,
    updated_at_column,
    user_id_column,
    user_index,
    uuid_column,
)

RECONCILIATION_RUN_STATUSES = ("queued", "running", "succeeded", "failed")
ADJUSTMENT_STATUSES = ("proposed", "applied", "rejected")


reconciliation_runs = Table(
    "reconciliation_runs",
    metadata,
    id_column(),
    Column("period_start", DateTime(timezone=True), nullable=False),
    Column("period_end", DateTime(timezone=True), nullable=False),
    Column("status", Text, nullable=False, server_default=text("'queued'")),
    Column("summary", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("users_total", Integer, nullable=False, server_default=text("0")),
    Column("users_done", Integer, nullable=False, server_default=text("0")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("heartbeat_at", DateTime(timezone=True)),
    Column("error", Text),
    created_at_column(),
    updated_at_column(),
    one_of("reconciliation_runs", "status", RECONCILIATION_RUN_STATUSES),
    *non_negative("reconciliation_runs", "attempts"),
    CheckConstraint("period_end > period_start", name="ck_reconciliation_runs_period"),
    Index("ix_reconciliation_runs_period", "period_start", "period_end"),
    # At most one unfinished run per period.
    Index(
        "uq_reconciliation_runs_unfinished_period",
        "period_start",
        "period_end",
        unique=True,
        postgresql_where=text("status IN ('queued', 'running')"),
    ),
)

reconciliation_adjustments = Table(
    "reconciliation_adjustments",
    metadata,
    id_column(),
    uuid_column("run_id", ForeignKey(reconciliation_runs.c.id, ondelete="CASCADE")),
    user_id_column(),
    uuid_column("invoice_id", ForeignKey(billing_invoices.c.id, ondelete="RESTRICT"), nullable=True),
    # Signed: positive charges the user more, negative credits them.
    Column("amount_minor", BigInteger, nullable=False),
    *currency_column("reconciliation_adjustments"),
    Column("reason", Text, nullable=False),
    Column("status", Text, nullable=False, server_default=text("'proposed'")),
    # NULL: applied at once; 'required': waits for an operator (above the threshold); 'approved'
    Column("approval", Text),
    Column("applied_at", DateTime(timezone=True)),
    # What Stripe made of it (an invoice item or a credit note), once applied.
    Column("stripe_object_id", Text),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    one_of("reconciliation_adjustments", "status", ADJUSTMENT_STATUSES),
    CheckConstraint("amount_minor <> 0", name="ck_reconciliation_adjustments_amount_non_zero"),
    Index("ix_reconciliation_adjustments_run_id", "run_id"),
    Index("ix_reconciliation_adjustments_invoice_id", "invoice_id"),
    user_index("reconciliation_adjustments", "created_at"),
)

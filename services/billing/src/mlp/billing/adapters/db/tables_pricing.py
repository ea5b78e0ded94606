"""Price books (a currency, a validity window, the default or one user's) and their items, one per metric."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from mlp.billing.adapters.db.metadata import currency_column, metadata
from mlp.common.runtime.columns import created_at_column, id_column, one_of, uuid_column

PRICING_MODELS = ("per_unit", "graduated", "volume", "package")

price_books = Table(
    "price_books",
    metadata,
    id_column(),
    Column("name", Text, nullable=False),
    *currency_column("price_books"),
    # NULL: the default book; else the one user it applies to.
    Column("user_id", UUID(as_uuid=True)),
    Column("effective_from", DateTime(timezone=True), nullable=False),
    Column("effective_to", DateTime(timezone=True)),
    created_at_column(),
    CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name="ck_price_books_window"),
    Index("ix_price_books_owner", "user_id", "effective_from"),
)

price_items = Table(
    "price_items",
    metadata,
    id_column(),
    uuid_column("price_book_id", ForeignKey(price_books.c.id, ondelete="CASCADE")),
    Column("metric", Text, nullable=False),
    Column("model", Text, nullable=False),
    # Minor units of the book's currency per unit (per package for ``package``): exact, never a float.
    Column("unit_price", Numeric(20, 10)),
    Column("package_size", Numeric(38, 12)),
    # [{"up_to": "<decimal>" | null, "unit_price": "<decimal>", "flat_fee": "<decimal>"}, ...]
    Column("tiers", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("free_quantity", Numeric(38, 12), nullable=False, server_default=text("0")),
    one_of("price_items", "model", PRICING_MODELS),
    CheckConstraint("jsonb_typeof(tiers) = 'array'", name="ck_price_items_tiers_array"),
    CheckConstraint("free_quantity >= 0", name="ck_price_items_free_quantity_non_negative"),
    UniqueConstraint("price_book_id", "metric", name="uq_price_items_book_metric"),
)

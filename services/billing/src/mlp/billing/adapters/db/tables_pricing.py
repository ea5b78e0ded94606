"""Price books (a currency and a validity window) and their price items, one per meter."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from mlp.billing.adapters.db.metadata import currency_column, metadata
from mlp.common.runtime.columns import (
    created_at_column,
    id_column,
    metadata_column,
    non_negative,
    one_of,
    updated_at_column,
    uuid_column,
)

PRICE_BOOK_STATUSES = ("draft", "active", "archived")


price_books = Table(
    "price_books",
    metadata,
    id_column(),
    Column("name", Text, nullable=False, unique=True),
    Column("description", Text),
    *currency_column("price_books"),
    Column("active_from", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("active_to", DateTime(timezone=True)),
    Column("is_default", Boolean, nullable=False, server_default=text("false")),
    Column("status", Text, nullable=False, server_default=text("'draft'")),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    one_of("price_books", "status", PRICE_BOOK_STATUSES),
    CheckConstraint("active_to IS NULL OR active_to > active_from", name="ck_price_books_active_window"),
    # At most one default book per currency.
    Index("uq_price_books_default_currency", "currency", unique=True, postgresql_where=text("is_default")),
)

price_items = Table(
    "price_items",
    metadata,
    id_column(),
    uuid_column("price_book_id", ForeignKey(price_books.c.id, ondelete="CASCADE")),
    Column("meter", Text, nullable=False),
    Column("unit", Text, nullable=False),
    # Minor units of the book's currency per unit (e.g. 0.0002 cents per token): exact, never a float.
    Column("unit_price", Numeric(20, 10), nullable=False),
    # Optional graduated tiers: [{"up_to": <int or null>, "unit_price": "<decimal string>"}, ...].
    Column("tiers", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("description", Text),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    *non_negative("price_items", "unit_price"),
    CheckConstraint("jsonb_typeof(tiers) = 'array'", name="ck_price_items_tiers_array"),
    UniqueConstraint("price_book_id", "meter", name="uq_price_items_book_meter"),
)

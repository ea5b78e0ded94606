"""The one ``MetaData`` of billing's tables (schema ``billing``) and the constraint helpers they share.

Money is never a float: amounts are ``BigInteger`` minor units next to an ISO 4217 ``currency``
(upper case, checked), unit prices are ``NUMERIC`` in minor units per unit. Status-like columns are
``Text`` with a CHECK listing the allowed values (no PostgreSQL enums, so migrations never leave types
behind). Constraints are named explicitly so migrations can address them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, Column, MetaData, Text

SCHEMA = "billing"
metadata = MetaData(schema=SCHEMA)


def currency_column(table: str, name: str = "currency", nullable: bool = False) -> tuple[Column[Any], CheckConstraint]:
    """An ISO 4217 code in upper case (``Text`` plus a CHECK: PostgreSQL has no ``TEXT(3)``); spread it in a Table."""
    return (
        Column(name, Text, nullable=nullable),
        CheckConstraint(f"{name} ~ '^[A-Z]{{3}}$'", name=f"ck_{table}_{name}_iso4217"),
    )


def as_dict(row: Any) -> dict[str, Any]:
    """A result row as a plain dict (column keys may be ``quoted_name``, a ``str`` subclass msgspec refuses)."""
    return {str(key): value for key, value in row._mapping.items()}

"""The one ``MetaData`` of billing's tables (schema ``billing``) and the constraint helpers they share.

Money is never a float: amounts are ``BigInteger`` minor units next to an ISO 4217 ``currency``
(upper case, checked), unit prices are ``NUMERIC`` in minor units per unit. Status-like columns are
``Text`` with a CHECK listing the allowed values (no PostgreSQL enums, so migrations never leave types
behind). Constraints are named explicitly so migrations can address them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, Column, ForeignKey, MetaData, Text
from sqlalchemy.dialects.postgresql import UUID

SCHEMA = "billing"
metadata = MetaData(schema=SCHEMA)


def one_of(table: str, column: str, values: tuple[str, ...]) -> CheckConstraint:
    """CHECK that ``column`` holds one of ``values``."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"ck_{table}_{column}")


def non_negative(table: str, *columns: str) -> list[CheckConstraint]:
    """CHECK ``column >= 0`` for each column (NULL passes)."""
    return [CheckConstraint(f"{column} >= 0", name=f"ck_{table}_{column}_non_negative") for column in columns]


def currency_column(table: str, name: str = "currency", nullable: bool = False) -> tuple[Column[Any], CheckConstraint]:
    """An ISO 4217 code in upper case (``Text`` plus a CHECK: PostgreSQL has no ``TEXT(3)``); spread it in a Table."""
    return (
        Column(name, Text, nullable=nullable),
        CheckConstraint(f"{name} ~ '^[A-Z]{{3}}$'", name=f"ck_{table}_{name}_iso4217"),
    )


def uuid_column(name: str, *args: ForeignKey, nullable: bool = False, unique: bool = False) -> Column[Any]:
    """A UUID column, NOT NULL unless told otherwise, optionally a foreign key inside this schema."""
    return Column(name, UUID(as_uuid=True), *args, nullable=nullable, unique=unique)

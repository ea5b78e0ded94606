"""The one ``MetaData`` of registry's tables (schema ``registry``) and the constraint helpers they share.

Status-like columns are ``Text`` with a CHECK listing the allowed values (no PostgreSQL enums, so
migrations never leave types behind); names are unique per user among rows that are not
soft-deleted (partial unique indexes). Constraints are named explicitly so migrations can address them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, MetaData, text
from sqlalchemy.dialects.postgresql import UUID

SCHEMA = "registry"
metadata = MetaData(schema=SCHEMA)

NOT_DELETED = text("deleted_at IS NULL")


def one_of(table: str, column: str, values: tuple[str, ...]) -> CheckConstraint:
    """CHECK that ``column`` holds one of ``values``."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"ck_{table}_{column}")


def non_negative(table: str, *columns: str) -> list[CheckConstraint]:
    """CHECK ``column >= 0`` for each column (NULL passes)."""
    return [CheckConstraint(f"{column} >= 0", name=f"ck_{table}_{column}_non_negative") for column in columns]


def unique_name_per_user(table: str) -> Index:
    """``(user_id, name)`` is unique among rows that are not soft-deleted."""
    return Index(f"uq_{table}_user_name", "user_id", "name", unique=True, postgresql_where=NOT_DELETED)


def uuid_column(name: str, *args: ForeignKey, nullable: bool = False) -> Column[Any]:
    """A UUID column, NOT NULL unless told otherwise, optionally a foreign key inside this schema."""
    return Column(name, UUID(as_uuid=True), *args, nullable=nullable)

"""The one ``MetaData`` of registry's tables (schema ``registry``) and the constraint helpers they share.

Status-like columns are ``Text`` with a CHECK listing the allowed values (no PostgreSQL enums, so
migrations never leave types behind); names are unique per user among rows that are not
soft-deleted (partial unique indexes). Constraints are named explicitly so migrations can address them.
"""

from __future__ import annotations

from sqlalchemy import Index, MetaData, text

SCHEMA = "registry"
metadata = MetaData(schema=SCHEMA)

NOT_DELETED = text("deleted_at IS NULL")


def unique_name_per_user(table: str) -> Index:
    """``(user_id, name)`` is unique among rows that are not soft-deleted."""
    return Index(f"uq_{table}_user_name", "user_id", "name", unique=True, postgresql_where=NOT_DELETED)

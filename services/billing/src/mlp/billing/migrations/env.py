"""Alembic environment of billing: only the ``billing`` schema, its own version table."""

from mlp.billing.adapters.db.tables import SCHEMA, metadata
from mlp.common.runtime.migrations import run_migrations

run_migrations(metadata, SCHEMA)

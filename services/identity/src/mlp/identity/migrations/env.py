"""Alembic environment of identity: only the ``identity`` schema, its own version table."""

from mlp.common.runtime.migrations import run_migrations
from mlp.identity.adapters.db.tables import SCHEMA, metadata

run_migrations(metadata, SCHEMA)

"""Alembic environment of registry: only the ``registry`` schema, its own version table."""

from mlp.common.runtime.migrations import run_migrations
from mlp.registry.adapters.db.tables import SCHEMA, metadata

run_migrations(metadata, SCHEMA)

"""Alembic environment of evaluation: only the ``evaluation`` schema, its own version table."""

from mlp.common.runtime.migrations import run_migrations
from mlp.evaluation.adapters.db.tables import SCHEMA, metadata

run_migrations(metadata, SCHEMA)

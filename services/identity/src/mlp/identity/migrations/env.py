"""Alembic environment of identity: only the ``identity`` schema, its own version table.

pgqueuer's tables (the outbox queue, migration 0003) are not in the SQLAlchemy metadata: ignored.
"""

from mlp.common.runtime.migrations import run_migrations
from mlp.common.runtime.queue import QUEUE_TABLES
from mlp.identity.adapters.db.tables import SCHEMA, metadata

run_migrations(metadata, SCHEMA, ignore_tables=QUEUE_TABLES)

"""Alembic environment of billing: only the ``billing`` schema, its own version table.

pgqueuer's tables (the job queue and outbox, migration 0003) are not in the SQLAlchemy metadata: ignored.
"""

from mlp.billing.adapters.db.tables import SCHEMA, metadata
from mlp.common.runtime.migrations import run_migrations
from mlp.common.runtime.queue import QUEUE_TABLES

run_migrations(metadata, SCHEMA, ignore_tables=QUEUE_TABLES)

"""Alembic environment of evaluation: only the ``evaluation`` schema, its own version table.

pgqueuer's tables (the job queue and outbox, migration 0003) are not in the SQLAlchemy metadata: ignored.
"""

from mlp.common.runtime.migrations import run_migrations
from mlp.common.runtime.queue import QUEUE_TABLES
from mlp.evaluation.adapters.db.tables import SCHEMA, metadata

run_migrations(metadata, SCHEMA, ignore_tables=QUEUE_TABLES)

"""usage events keyed per (user, event id, source)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 02:50:00.000000

The wider key's index is built ``CONCURRENTLY`` (writes go on meanwhile), then swapped in as the
primary key with ``USING INDEX``, which locks the table only for the swap. The build runs outside
the revision's transaction, so it is written to be re-run: a build a failed attempt left invalid
is dropped and made again; the swap and the version bump commit together.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "uq_usage_events_source_event"


def upgrade() -> None:
    with op.get_context().autocommit_block():
        valid = op.get_bind().scalar(
            sa.text("SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass(:name)"),
            {"name": f"billing.{INDEX}"},
        )
        if valid is False:
            op.execute(f"DROP INDEX CONCURRENTLY billing.{INDEX}")
        op.execute(
            f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON billing.usage_events (user_id, event_id, source)"
        )
    op.execute(
        "-- the key is widened (its columns and one more), not removed\n"
        "-- squawk-ignore ban-drop-constraint\n"
        "ALTER TABLE billing.usage_events DROP CONSTRAINT pk_usage_events,"
        f" ADD CONSTRAINT pk_usage_events PRIMARY KEY USING INDEX {INDEX}"
    )


def downgrade() -> None:
    # one event per (user, event id) again: the platform's is kept over a user's own
    op.execute(
        "DELETE FROM billing.usage_events e USING billing.usage_events o"
        " WHERE e.user_id = o.user_id AND e.event_id = o.event_id AND e.source = 'user' AND o.source <> 'user'"
    )
    op.execute(
        "ALTER TABLE billing.usage_events DROP CONSTRAINT pk_usage_events,"
        " ADD CONSTRAINT pk_usage_events PRIMARY KEY (user_id, event_id)"
    )

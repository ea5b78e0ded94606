"""outbox queue: pgqueuer's tables in schema identity

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 16:30:00.000000

pgqueuer installs (and uninstalls) its own objects through its Python API, with identity's queue
settings (schema ``identity``, channel ``identity_pgqueuer``), on alembic's connection and inside
its transaction. Its DDL has several statements (and a plpgsql body), which asyncpg runs only
through its simple-query path, hence the raw connection rather than ``op.execute``; this
migration therefore runs online only. pgqueuer is pinned (1.6.*): a release that changes its
schema takes a new migration running ``Queries.upgrade``.
"""

from collections.abc import Sequence

from alembic import op
from pgqueuer.db import AsyncpgDriver
from pgqueuer.queries import Queries
from sqlalchemy.util import await_

from mlp.identity.adapters.outbox import outbox_queries

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _queries() -> Queries:
    asyncpg_connection = op.get_bind().connection.driver_connection
    return outbox_queries(AsyncpgDriver(asyncpg_connection))


def upgrade() -> None:
    await_(_queries().install(create_schema=False))


def downgrade() -> None:
    await_(_queries().uninstall())

"""a run records the scopes of the caller who started it (its worker acts with no more)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 02:20:00.000000

Additive: a nullable column, so code of the previous release keeps inserting runs (NULL: started
before scopes were recorded). No rewrite, no index: a catalog change under a short lock timeout.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "evaluation"


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("eval_runs", sa.Column("caller_scopes", postgresql.ARRAY(sa.Text()), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("eval_runs", "caller_scopes", schema=SCHEMA)

"""adjustments may wait for an operator's approval

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 02:10:00.000000

Additive: the status CHECK of reconciliation adjustments admits ``awaiting_approval`` (code that
does not know it never writes it). The CHECK is added ``NOT VALID`` and validated separately, so
the table is not locked against writes while existing rows are checked.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADJUSTMENTS = "billing.reconciliation_adjustments"
STATUS_CHECK = "ck_reconciliation_adjustments_status"


def _status_check(statuses: str) -> None:
    op.execute(f"ALTER TABLE {ADJUSTMENTS} DROP CONSTRAINT {STATUS_CHECK}")
    op.execute(f"ALTER TABLE {ADJUSTMENTS} ADD CONSTRAINT {STATUS_CHECK} CHECK (status IN ({statuses})) NOT VALID")
    op.execute(f"ALTER TABLE {ADJUSTMENTS} VALIDATE CONSTRAINT {STATUS_CHECK}")


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    _status_check("'proposed', 'awaiting_approval', 'applied', 'rejected'")


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(f"UPDATE {ADJUSTMENTS} SET status = 'rejected' WHERE status = 'awaiting_approval'")
    _status_check("'proposed', 'applied', 'rejected'")

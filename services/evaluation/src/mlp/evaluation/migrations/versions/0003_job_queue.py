"""job queue and outbox: pgqueuer's tables in schema evaluation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 15:40:00.000000

The body is shared by every service's queue migration (:mod:`mlp.common.runtime.queue_migration`).
"""

from collections.abc import Sequence

from mlp.common.runtime.queue_migration import install_queue, uninstall_queue

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    install_queue("evaluation")


def downgrade() -> None:
    uninstall_queue("evaluation")

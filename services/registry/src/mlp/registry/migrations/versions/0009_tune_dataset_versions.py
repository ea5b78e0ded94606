"""tune jobs: the dataset versions their examples were validated on (null for a JSONL file), so
the worker trains on exactly those rows rather than on whatever version is latest when it runs.

Revision ID: 0009_tune_dataset_versions
Revises: 0008_tune_jobs
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_tune_dataset_versions"
down_revision: str | None = "0008_tune_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("training_dataset_version", "validation_dataset_version")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("tune_jobs", sa.Column(name, sa.Integer(), nullable=True), schema="registry")


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.drop_column("tune_jobs", name, schema="registry")

"""Uploaded files and the CSV datasets made from them: datasets, their immutable versions, their rows."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSON, JSONB, UUID

from mlp.common.runtime.columns import (
    created_at_column,
    deleted_at_column,
    id_column,
    metadata_column,
    non_negative,
    one_of,
    updated_at_column,
    user_id_column,
    user_index,
    uuid_column,
)
from mlp.registry.adapters.db.metadata import metadata, unique_name_per_user
from mlp.registry.domain.datasets import VERSION_STATUSES
from mlp.registry.domain.files import FILE_PURPOSES

FILE_STATUSES = ("pending", "ready", "failed")
DATASET_STATUSES = VERSION_STATUSES


files = Table(
    "files",
    metadata,
    id_column(),
    user_id_column(),
    Column("filename", Text, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", Text),
    Column("storage_key", Text, nullable=False, unique=True),
    Column("purpose", Text, nullable=False),
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    Column("error", Text),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    deleted_at_column(),
    one_of("files", "purpose", FILE_PURPOSES),
    one_of("files", "status", FILE_STATUSES),
    *non_negative("files", "size_bytes"),
    CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="ck_files_sha256_hex"),
    user_index("files", "created_at"),
    Index("ix_files_user_sha256", "user_id", "sha256"),
)

datasets = Table(
    "datasets",
    metadata,
    id_column(),
    user_id_column(),
    Column("name", Text, nullable=False),
    Column("description", Text),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    deleted_at_column(),
    user_index("datasets", "created_at"),
    unique_name_per_user("datasets"),
)

dataset_versions = Table(
    "dataset_versions",
    metadata,
    id_column(),
    uuid_column("dataset_id", ForeignKey(datasets.c.id, ondelete="CASCADE")),
    user_id_column(),
    Column("version", Integer, nullable=False),
    # the file it was made from; the rows do not need it once ingested, so deleting the file is allowed
    uuid_column("source_file_id", ForeignKey(files.c.id, ondelete="SET NULL"), nullable=True),
    Column("status", Text, nullable=False),
    Column("row_count", BigInteger, nullable=False, server_default=text("0")),
    Column("columns", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("dialect", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("problems", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("error", Text),
    created_at_column(),
    updated_at_column(),
    Column("finished_at", DateTime(timezone=True)),
    one_of("dataset_versions", "status", VERSION_STATUSES),
    *non_negative("dataset_versions", "row_count"),
    CheckConstraint("version >= 1", name="ck_dataset_versions_version_positive"),
    UniqueConstraint("dataset_id", "version", name="uq_dataset_versions_dataset_version"),
    user_index("dataset_versions", "created_at"),
    Index("ix_dataset_versions_source_file_id", "source_file_id"),
)

dataset_row_blocks = Table(
    "dataset_row_blocks",
    metadata,
    # no foreign key: rows are COPYed by the million and removed with their version by its use case
    Column("version_id", UUID(as_uuid=True), nullable=False),
    Column("first_row", BigInteger, nullable=False),
    # consecutive rows from ``first_row`` on, a JSON array of rows, each a JSON array of the cells as
    # the file had them (typed when read with the version's column types); ``json`` rather than
    # ``jsonb``: stored as sent, so COPY does not rebuild it. Blocks, not a tuple per row: see
    # adapters/db/dataset_row_blocks.py
    Column("cells", JSON, nullable=False),
    # a page of rows is an index range scan on the primary key
    PrimaryKeyConstraint("version_id", "first_row", name="pk_dataset_row_blocks"),
)

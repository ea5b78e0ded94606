"""Uploaded files and the CSV datasets made from them."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Index, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB

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

FILE_PURPOSES = ("dataset", "artifact", "report")
FILE_STATUSES = ("pending", "ready", "failed")
DATASET_STATUSES = ("pending", "processing", "ready", "failed")


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
    uuid_column("file_id", ForeignKey(files.c.id, ondelete="RESTRICT")),
    Column("row_count", BigInteger),
    Column("columns", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    Column("error", Text),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    deleted_at_column(),
    one_of("datasets", "status", DATASET_STATUSES),
    *non_negative("datasets", "row_count"),
    user_index("datasets", "created_at"),
    unique_name_per_user("datasets"),
    Index("ix_datasets_file_id", "file_id"),
)

"""The model registry (models, versions, aliases and their history) and the fine-tuning jobs that produce versions.

Tags are key/value JSONB objects (GIN-indexed for ``tags @> {...}``). ``models.last_version`` is the
per-model counter new version numbers are taken from: the ``UPDATE ... RETURNING`` that bumps it
locks the model's row, so concurrent creates get consecutive numbers and never the same one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
    text,
)
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
from mlp.registry.adapters.db.tables_files import datasets

MODEL_VERSION_STATUSES = ("pending", "ready", "failed", "archived")
VERSION_SOURCE_KINDS = ("upload", "tune_job", "run")
TUNE_JOB_STATUSES = ("validating_files", "queued", "running", "succeeded", "failed", "cancelled")


def tags_column() -> Column[Any]:
    return Column("tags", JSONB, nullable=False, server_default=text("'{}'::jsonb"))


models = Table(
    "models",
    metadata,
    id_column(),
    user_id_column(),
    Column("name", Text, nullable=False),
    Column("description", Text),
    Column("task", Text),
    tags_column(),
    Column("last_version", Integer, nullable=False, server_default=text("0")),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    deleted_at_column(),
    *non_negative("models", "last_version"),
    user_index("models", "created_at"),
    unique_name_per_user("models"),
    Index("ix_models_tags", "tags", postgresql_using="gin", postgresql_ops={"tags": "jsonb_path_ops"}),
)

model_versions = Table(
    "model_versions",
    metadata,
    id_column(),
    uuid_column("model_id", ForeignKey(models.c.id, ondelete="CASCADE")),
    user_id_column(),
    Column("version", Integer, nullable=False),
    Column("description", Text),
    Column("artifact_uri", Text),
    # An uploaded file of this user (registry.files); no foreign key: files are purged on their own terms.
    uuid_column("artifact_file_id", nullable=True),
    Column("base_model", Text),
    Column("source_kind", Text, nullable=False, server_default=text("'upload'")),
    Column("source_run_uri", Text),
    Column("run_id", Text),
    # Informational back-link; tune_jobs.result_model_version_id is the authoritative link.
    uuid_column(
        "source_tune_job_id",
        ForeignKey("tune_jobs.id", ondelete="SET NULL", use_alter=True, name="fk_model_versions_source_tune_job_id"),
        nullable=True,
    ),
    Column("status", Text, nullable=False, server_default=text("'ready'")),
    Column("status_message", Text),
    Column("metrics", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("params", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    tags_column(),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    deleted_at_column(),
    one_of("model_versions", "status", MODEL_VERSION_STATUSES),
    one_of("model_versions", "source_kind", VERSION_SOURCE_KINDS),
    CheckConstraint("num_nonnulls(artifact_uri, artifact_file_id) <= 1", name="ck_model_versions_one_artifact"),
    CheckConstraint("version >= 1", name="ck_model_versions_version_positive"),
    # Version numbers are never reused, even after a soft delete.
    UniqueConstraint("model_id", "version", name="uq_model_versions_model_version"),
    # Target of model_aliases' composite key: an alias can only point at a version of its own model.
    UniqueConstraint("model_id", "id", name="uq_model_versions_model_id_id"),
    user_index("model_versions", "created_at"),
)

model_aliases = Table(
    "model_aliases",
    metadata,
    id_column(),
    uuid_column("model_id", ForeignKey(models.c.id, ondelete="CASCADE")),
    user_id_column(),
    Column("alias", Text, nullable=False),
    uuid_column("version_id"),
    created_at_column(),
    updated_at_column(),
    ForeignKeyConstraint(
        ["model_id", "version_id"],
        [model_versions.c.model_id, model_versions.c.id],
        name="fk_model_aliases_version",
        ondelete="CASCADE",
    ),
    UniqueConstraint("model_id", "alias", name="uq_model_aliases_model_alias"),
    CheckConstraint("length(alias) BETWEEN 1 AND 64", name="ck_model_aliases_alias_length"),
    Index("ix_model_aliases_version_id", "version_id"),
    user_index("model_aliases", "created_at"),
)

model_alias_events = Table(
    "model_alias_events",
    metadata,
    id_column(),
    uuid_column("model_id", ForeignKey(models.c.id, ondelete="CASCADE")),
    user_id_column(),
    Column("alias", Text, nullable=False),
    # Where the alias points from ``changed_at`` on; NULL once deleted. No foreign key: history outlives versions.
    uuid_column("version_id", nullable=True),
    Column("version", Integer),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index("ix_model_alias_events_alias_time", "model_id", "alias", "changed_at"),
    user_index("model_alias_events", "changed_at"),
)
"""Every set, move and delete of an alias: which version an alias pointed to at any time."""

tune_jobs = Table(
    "tune_jobs",
    metadata,
    id_column(),
    user_id_column(),
    uuid_column("base_model_version_id", ForeignKey(model_versions.c.id, ondelete="RESTRICT")),
    # null when the training file is a JSONL file rather than a dataset
    uuid_column("dataset_id", ForeignKey(datasets.c.id, ondelete="RESTRICT"), nullable=True),
    uuid_column("result_model_version_id", ForeignKey(model_versions.c.id, ondelete="SET NULL"), nullable=True),
    Column("status", Text, nullable=False, server_default=text("'queued'")),
    Column("hyperparameters", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("external_job_id", Text),
    Column("model", Text),
    Column("suffix", Text),
    Column("training_file", Text),
    Column("validation_file", Text),
    Column("fine_tuned_model", Text),
    Column("trained_tokens", Integer),
    # the dataset versions validated at create (null for a JSONL file): the worker reads exactly these
    Column("training_dataset_version", Integer),
    Column("validation_dataset_version", Integer),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("error", Text),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("heartbeat_at", DateTime(timezone=True)),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    one_of("tune_jobs", "status", TUNE_JOB_STATUSES),
    *non_negative("tune_jobs", "attempts"),
    user_index("tune_jobs", "created_at"),
    Index("ix_tune_jobs_external_job_id", "external_job_id"),
    Index("ix_tune_jobs_dataset_id", "dataset_id"),
    Index("ix_tune_jobs_base_model_version_id", "base_model_version_id"),
    Index("ix_tune_jobs_result_model_version_id", "result_model_version_id"),
    # Workers look for unfinished jobs whose heartbeat is stale.
    Index("ix_tune_jobs_unfinished", "heartbeat_at", postgresql_where=text("status IN ('queued', 'running')")),
)

tune_job_events = Table(
    "tune_job_events",
    metadata,
    id_column(),
    user_id_column(),
    uuid_column("job_id", ForeignKey(tune_jobs.c.id, ondelete="CASCADE")),
    created_at_column(),
    Column("level", Text, nullable=False),
    Column("message", Text, nullable=False),
    one_of("tune_job_events", "level", ("info", "warn", "error")),
    user_index("tune_job_events", "created_at"),
    Index("ix_tune_job_events_job", "job_id", "created_at"),
)

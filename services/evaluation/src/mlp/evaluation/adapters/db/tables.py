"""evaluation's tables, all in the ``evaluation`` schema (the only schema this service touches).

``user_id`` is a plain indexed UUID (users live in identity), and so are the registry's ids a run
points at (dataset, deployment): no foreign keys across services. Status-like columns are
``Text`` with a CHECK listing the allowed values (no PostgreSQL enums). Constraints are named
explicitly so migrations can address them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

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
from mlp.common.runtime.inbox import received_events_table
from mlp.evaluation.domain.criterion_configs import CRITERION_KINDS
from mlp.evaluation.domain.runs import RUN_STATUSES

SCHEMA = "evaluation"
metadata = MetaData(schema=SCHEMA)


criterion_definitions = Table(
    "criterion_definitions",
    metadata,
    id_column(),
    user_id_column(),
    Column("name", Text, nullable=False),
    Column("description", Text),
    Column("kind", Text, nullable=False),
    Column("config", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    deleted_at_column(),
    one_of("criterion_definitions", "kind", CRITERION_KINDS),
    user_index("criterion_definitions", "created_at"),
    Index(
        "uq_criterion_definitions_user_name",
        "user_id",
        "name",
        unique=True,
        postgresql_where=text("deleted_at IS NULL"),
    ),
)

evals = Table(
    "evals",
    metadata,
    id_column(),
    user_id_column(),
    Column("name", Text, nullable=False),
    # OpenAI's shapes as given; their testing criteria are criterion_definitions rows of this user.
    Column("data_source_config", JSONB, nullable=False),
    Column("testing_criteria", JSONB, nullable=False),
    Column("criterion_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    deleted_at_column(),
    user_index("evals", "created_at"),
)

eval_runs = Table(
    "eval_runs",
    metadata,
    id_column(),
    user_id_column(),
    Column("name", Text),
    uuid_column("eval_id", ForeignKey(evals.c.id, ondelete="CASCADE"), nullable=True),
    # The registry's ids: checked through the registry's API when the run is created, not by foreign keys.
    uuid_column("model_version_id", nullable=True),
    uuid_column("deployment_id", nullable=True),
    uuid_column("dataset_id"),
    Column("dataset_version", Integer, nullable=False),
    # "dataset": registry's dataset rows; "file": an uploaded JSONL file of {"item": ...} lines (OpenAI evals)
    Column("data_kind", Text, nullable=False, server_default=text("'dataset'")),
    Column("source", Text, nullable=False),
    Column("deployment", Text),
    Column("prompt_template", Text),
    Column("system_prompt", Text),
    Column("predictions_column", Text),
    Column("max_tokens", Integer),
    Column("temperature", Float),
    Column("criterion_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
    Column("criteria", JSONB, nullable=False),
    # the scopes of the caller who started the run (its worker's delegated token carries no more); NULL: before 0005
    Column("caller_scopes", ARRAY(Text)),
    Column("status", Text, nullable=False, server_default=text("'queued'")),
    Column("total_rows", Integer, nullable=False, server_default=text("0")),
    Column("completed_rows", Integer, nullable=False, server_default=text("0")),
    Column("failed_rows", Integer, nullable=False, server_default=text("0")),
    Column("aggregates", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("error", Text),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("heartbeat_at", DateTime(timezone=True)),
    Column("cancel_requested_at", DateTime(timezone=True)),
    metadata_column(),
    created_at_column(),
    updated_at_column(),
    deleted_at_column(),
    one_of("eval_runs", "status", RUN_STATUSES),
    one_of("eval_runs", "source", ("deployment", "predictions")),
    one_of("eval_runs", "data_kind", ("dataset", "file")),
    *non_negative("eval_runs", "total_rows", "completed_rows", "failed_rows", "attempts", "dataset_version"),
    CheckConstraint("cardinality(criterion_ids) >= 1", name="ck_eval_runs_criterion_ids_not_empty"),
    CheckConstraint("completed_rows + failed_rows <= total_rows", name="ck_eval_runs_rows_within_total"),
    user_index("eval_runs", "created_at"),
    Index("ix_eval_runs_user_model_version", "user_id", "model_version_id", "created_at"),
    Index("ix_eval_runs_user_dataset", "user_id", "dataset_id", "created_at"),
    Index("ix_eval_runs_eval", "eval_id", "created_at"),
    # Workers look for unfinished runs whose heartbeat is stale.
    Index("ix_eval_runs_unfinished", "heartbeat_at", postgresql_where=text("status IN ('queued', 'running')")),
)

eval_row_results = Table(
    "eval_row_results",
    metadata,
    id_column(),
    uuid_column("run_id", ForeignKey(eval_runs.c.id, ondelete="CASCADE")),
    user_id_column(),
    Column("row_number", Integer, nullable=False),
    Column("input", JSONB, nullable=False),
    Column("output", Text),
    # criterion id -> {"passed", "score", "label", "error", "judge_tokens"}
    Column("verdicts", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("passed", Boolean, nullable=False),
    Column("latency_ms", Integer),
    Column("prompt_tokens", Integer, nullable=False, server_default=text("0")),
    Column("completion_tokens", Integer, nullable=False, server_default=text("0")),
    Column("judge_tokens", Integer, nullable=False, server_default=text("0")),
    Column("error", Text),
    Column("error_type", Text),
    created_at_column(),
    *non_negative("eval_row_results", "latency_ms", "prompt_tokens", "completion_tokens", "judge_tokens"),
    CheckConstraint("row_number >= 1", name="ck_eval_row_results_row_number_positive"),
    # Also the idempotency key of a worker writing a row again after a restart (ON CONFLICT DO NOTHING).
    UniqueConstraint("run_id", "row_number", name="uq_eval_row_results_run_row"),
    Index("ix_eval_row_results_user", "user_id"),
)

received_events = received_events_table(metadata)
"""Events taken from other services (idempotency on ``event_id``)."""

"""registry's tables, all in the ``registry`` schema (the only schema this service touches).

``user_id`` is a plain indexed UUID (users live in identity); foreign keys stay inside this schema.
The tables are defined by area in ``tables_*`` modules on one shared ``metadata``; import them from here.
"""

from __future__ import annotations

from mlp.common.runtime.inbox import received_events_table
from mlp.registry.adapters.db.metadata import SCHEMA, metadata
from mlp.registry.adapters.db.tables_files import (
    DATASET_STATUSES,
    FILE_STATUSES,
    dataset_row_blocks,
    dataset_versions,
    datasets,
    files,
)
from mlp.registry.adapters.db.tables_models import (
    MODEL_VERSION_STATUSES,
    TUNE_JOB_STATUSES,
    VERSION_SOURCE_KINDS,
    model_alias_events,
    model_aliases,
    model_versions,
    models,
    tune_job_events,
    tune_jobs,
)
from mlp.registry.adapters.db.tables_serving import deployment_revisions, deployments, inference_requests
from mlp.registry.domain.deployments import DEPLOYMENT_STATUSES
from mlp.registry.domain.files import FILE_PURPOSES

received_events = received_events_table(metadata)
"""Events taken from other services (idempotency on ``event_id``)."""

__all__ = [
    "DATASET_STATUSES",
    "DEPLOYMENT_STATUSES",
    "FILE_PURPOSES",
    "FILE_STATUSES",
    "MODEL_VERSION_STATUSES",
    "SCHEMA",
    "TUNE_JOB_STATUSES",
    "VERSION_SOURCE_KINDS",
    "dataset_row_blocks",
    "dataset_versions",
    "datasets",
    "deployment_revisions",
    "deployments",
    "files",
    "inference_requests",
    "metadata",
    "model_alias_events",
    "model_aliases",
    "model_versions",
    "models",
    "received_events",
    "tune_job_events",
    "tune_jobs",
]

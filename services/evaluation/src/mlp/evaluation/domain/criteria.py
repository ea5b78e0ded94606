"""A user's reusable criterion: a name, a type and its validated config."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mlp.evaluation.domain.criterion_configs import config_columns, parse_config
from mlp.evaluation.domain.criterion_types import CriterionConfig
from mlp.evaluation.domain.errors import InvalidInput

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000


@dataclass(frozen=True)
class Criterion:
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    kind: str
    config: dict[str, Any]
    """As given (validated): stored and shown as the user wrote it."""
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def parsed(self) -> CriterionConfig:
        return parse_config(self.kind, self.config)

    def columns(self) -> set[str]:
        return config_columns(self.parsed())


def check_name(name: str) -> str:
    if not name.strip() or len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"1 to {MAX_NAME_LENGTH} characters", field="name")
    return name


@dataclass(frozen=True)
class CriterionSnapshot:
    """A criterion as a run uses it: copied when the run is created, so later edits change no run."""

    id: uuid.UUID
    name: str
    kind: str
    config: dict[str, Any]

    @classmethod
    def of(cls, criterion: Criterion) -> CriterionSnapshot:
        return cls(criterion.id, criterion.name, criterion.kind, criterion.config)

    def parsed(self) -> CriterionConfig:
        return parse_config(self.kind, self.config)

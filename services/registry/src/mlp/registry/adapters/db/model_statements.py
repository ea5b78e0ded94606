"""Statements built once, at import, with bound parameters: executing one skips building the
expression tree and computing its cache key on every call (a third of a point read's SQL cost).

A model is named by id or by name (``ModelRef``), so a statement that finds one is built twice,
once for each, and :class:`PerRef` picks the one that fits. Their parameters: ``model`` (the ref)
and ``caller`` (the user id that scopes every statement; ``user_id`` would clash with
the column in an UPDATE).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import BindParameter, ColumnElement, bindparam

from mlp.registry.adapters.db.tables import models
from mlp.registry.domain.models import ModelRef

S = TypeVar("S")

CALLER: BindParameter[uuid.UUID] = bindparam("caller")
"""The caller's user id: every statement here is scoped by it."""


@dataclass(frozen=True)
class PerRef(Generic[S]):
    by_id: S
    by_name: S

    @classmethod
    def build(cls, make: Callable[[ColumnElement[bool]], S]) -> PerRef[S]:
        """``make`` receives the condition on ``models`` that names the model (parameter ``model``)."""
        return cls(make(models.c.id == bindparam("model")), make(models.c.name == bindparam("model")))

    def __getitem__(self, ref: ModelRef) -> S:
        return self.by_id if isinstance(ref, uuid.UUID) else self.by_name

"""Search conditions (domain) to SQL over ``models`` and ``model_versions``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, cast, not_, or_
from sqlalchemy.dialects.postgresql import JSONB

from mlp.registry.adapters.db.tables import model_versions, models
from mlp.registry.domain.model_queries import Condition, SearchQuery

ESCAPE = "\\"


def _compare(column: Any, condition: Condition, value: Any = None) -> ColumnElement[bool]:
    value = condition.value if value is None else value
    if condition.op == "IN":
        return column.in_(list(value))  # type: ignore[no-any-return]
    if condition.op == "=":
        return column == value  # type: ignore[no-any-return]
    if condition.op == "!=":
        return column != value  # type: ignore[no-any-return]
    if condition.op == "LIKE":
        return column.like(value)  # type: ignore[no-any-return]
    if condition.op == "ILIKE":
        return column.ilike(value)  # type: ignore[no-any-return]
    return column.like(value, escape=ESCAPE)  # type: ignore[no-any-return]  # PREFIX: an escaped 'p%' pattern


def _tag(tags: Any, condition: Condition) -> ColumnElement[bool]:
    key = condition.key or ""
    if condition.op == "=":
        return tags.contains(cast({key: condition.value}, JSONB))  # type: ignore[no-any-return]
    if condition.op == "!=":
        return not_(tags.contains(cast({key: condition.value}, JSONB)))  # type: ignore[no-any-return]
    return _compare(tags[key].astext, condition)


def model_conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
    clauses = []
    for condition in query.conditions:
        if condition.field == "tag":
            clauses.append(_tag(models.c.tags, condition))
        elif condition.field == "task":
            clauses.append(_compare(models.c.task, condition))
        else:
            clauses.append(_compare(models.c.name, condition))
    if query.after is not None:
        clauses.append(models.c.name < query.after[0] if query.descending else models.c.name > query.after[0])
    return clauses


_VERSION_COLUMNS = {
    "name": models.c.name,
    "run_id": model_versions.c.run_id,
    "source_path": model_versions.c.artifact_uri,
}


def version_conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
    clauses = []
    for condition in query.conditions:
        if condition.field == "tag":
            clauses.append(_tag(model_versions.c.tags, condition))
        elif condition.field == "version":
            raw = condition.value
            numbers = tuple(int(v) for v in raw) if isinstance(raw, tuple) else int(raw)
            clauses.append(_compare(model_versions.c.version, condition, numbers))
        else:
            clauses.append(_compare(_VERSION_COLUMNS[condition.field], condition))
    if query.after is not None:
        name, number = query.after[0], int(query.after[1])
        clauses.append(or_(models.c.name > name, and_(models.c.name == name, model_versions.c.version < number)))
    return clauses

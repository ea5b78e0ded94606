"""Search conditions over models and versions, shared by the native filters and MLflow's filter grammar."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ModelField = Literal["name", "tag", "task"]
VersionField = Literal["name", "tag", "version", "run_id", "source_path"]
Operator = Literal["=", "!=", "LIKE", "ILIKE", "IN", "PREFIX"]


@dataclass(frozen=True)
class Condition:
    """``field op value``; for ``tag`` conditions ``key`` names the tag. ``IN`` takes a tuple.

    A ``tag`` condition with ``!=`` also matches rows without that tag (MLflow's clients send
    ``tags.`mlflow.prompt.is_prompt` != 'true'`` to mean "not a prompt").
    """

    field: str
    op: Operator
    value: str | tuple[str, ...]
    key: str | None = None


@dataclass(frozen=True)
class SearchQuery:
    """All ``conditions`` hold (AND); ``after`` is the cursor of the previous page's last row."""

    conditions: tuple[Condition, ...] = ()
    limit: int = 100
    after: tuple[str, ...] | None = None
    descending: bool = False


def like_prefix(prefix: str) -> str:
    """A LIKE pattern matching names that start with ``prefix`` literally."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

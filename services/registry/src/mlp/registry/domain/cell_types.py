"""Column types of CSV cells: inferred over every cell of a column, applied when rows are read.

A column's type is the narrowest one all its non-empty cells fit: integer, then float, then
boolean, then JSON (objects or arrays), else string. Empty cells are ``None`` in any type.
Cells are stored as the text they were in the file, so a read gives typed values and an
export gives back exactly what was uploaded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final

from mlp.registry.domain.datasets import ColumnType

_INTEGER: Final = re.compile(r"[+-]?\d{1,18}")
_FLOAT: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?")
_BOOLEAN: Final = re.compile(r"(?i:true|false)")
CANDIDATES: Final[tuple[ColumnType, ...]] = ("integer", "float", "boolean", "json")


def _is_json_container(cell: str) -> bool:
    if cell[:1] not in ("{", "["):
        return False
    try:
        json.loads(cell)
    except ValueError:
        return False
    return True


def _fits(candidate: ColumnType, cells: Iterable[str]) -> bool:
    if candidate == "integer":
        return all(map(_INTEGER.fullmatch, cells))
    if candidate == "float":
        return all(map(_FLOAT.fullmatch, cells))
    if candidate == "boolean":
        return all(map(_BOOLEAN.fullmatch, cells))
    return all(map(_is_json_container, cells))


class TypeInference:
    """Narrows each column's candidate types chunk by chunk (cells as they come, no second pass)."""

    def __init__(self, width: int) -> None:
        self._candidates: list[list[ColumnType]] = [list(CANDIDATES) for _ in range(width)]
        self._seen = [False] * width

    def observe(self, rows: Sequence[Sequence[str]]) -> None:
        if not rows:
            return
        for index, column in enumerate(zip(*rows, strict=True)):
            candidates = self._candidates[index]
            filled = [cell for cell in column if cell]
            if not filled:
                continue
            self._seen[index] = True
            if candidates:
                self._candidates[index] = [c for c in candidates if _fits(c, filled)]

    def types(self) -> list[ColumnType]:
        return [c[0] if c and seen else "string" for c, seen in zip(self._candidates, self._seen, strict=True)]


def typed_value(cell: str | None, column_type: ColumnType) -> Any:
    """The value of a stored cell in its column's type (``None`` for an empty cell)."""
    if not cell:
        return None
    if column_type == "integer":
        return int(cell)
    if column_type == "float":
        return float(cell)
    if column_type == "boolean":
        return cell.lower() == "true"
    if column_type == "json":
        return json.loads(cell)
    return cell

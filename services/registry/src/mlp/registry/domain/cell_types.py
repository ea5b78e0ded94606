"""Column types of CSV cells: inferred over every cell of a column, applied when rows are read.

A column's type is the narrowest one all its non-empty cells fit: integer, then float, then
boolean, then JSON (objects or arrays), else string. Empty cells are ``None`` in any type.
Cells are stored as the text they were in the file, so a read gives typed values and an
export gives back exactly what was uploaded.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Sequence
from operator import itemgetter
from typing import Any, Final

from mlp.registry.domain.datasets import ColumnType

_INTEGER_CHARS: Final = str.maketrans("", "", "0123456789+-")
_FLOAT_CHARS: Final = str.maketrans("", "", "0123456789+-.eE")
_BOOLEANS: Final = frozenset({"true", "false"})
CANDIDATES: Final[tuple[ColumnType, ...]] = ("integer", "float", "boolean", "json")


def _all_convert(convert: type[int] | type[float], cells: list[str]) -> bool:
    try:
        deque(map(convert, cells), maxlen=0)
    except ValueError:
        return False
    return True


def _is_json_container(cell: str) -> bool:
    if cell[:1] not in ("{", "["):
        return False
    try:
        json.loads(cell)
    except ValueError:
        return False
    return True


def _fits(candidate: ColumnType, cells: list[str]) -> bool:
    """Whole columns at a time, in C: the characters allowed, then Python's own conversion.

    The character check keeps out what ``int``/``float`` would also take (spaces, ``_``,
    ``nan``, ``inf``); integers are at most 18 digits so that they fit a 64-bit integer.
    """
    if candidate == "integer":
        joined = "".join(cells)
        if joined.isascii() and joined.isdigit():  # unsigned: no conversion needed to know
            return max(map(len, cells)) <= 19
        return not joined.translate(_INTEGER_CHARS) and max(map(len, cells)) <= 19 and _all_convert(int, cells)
    if candidate == "float":
        return not "".join(cells).translate(_FLOAT_CHARS) and _all_convert(float, cells)
    if candidate == "boolean":
        return {cell.lower() for cell in set(cells)} <= _BOOLEANS
    return all(map(_is_json_container, cells))


def _narrowed(candidates: list[ColumnType], cells: list[str]) -> list[ColumnType]:
    """The first candidate that fits wins; an integer column is a float one too. The types are
    otherwise disjoint (no cell is both a number and a boolean or JSON), so nothing else is tried."""
    for candidate in candidates:
        if _fits(candidate, cells):
            return [candidate, "float"] if candidate == "integer" and "float" in candidates else [candidate]
    return []


class TypeInference:
    """Narrows each column's candidate types chunk by chunk (cells as they come, no second pass)."""

    def __init__(self, width: int) -> None:
        self._candidates: list[list[ColumnType]] = [list(CANDIDATES) for _ in range(width)]
        self._seen = [False] * width

    def observe(self, rows: Sequence[Sequence[str]]) -> None:
        """Only columns that may still be something other than string are looked at."""
        for index, candidates in enumerate(self._candidates):
            if not candidates:
                continue
            filled = list(filter(None, map(itemgetter(index), rows)))
            if filled:
                self._seen[index] = True
                self._candidates[index] = _narrowed(candidates, filled)

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


def typed_column(cells: Sequence[str], column_type: ColumnType) -> list[Any]:
    """``typed_value`` over a whole column: one comprehension per column instead of a call per cell."""
    if column_type == "string":
        return [cell or None for cell in cells]
    if column_type == "integer":
        return [int(cell) if cell else None for cell in cells]
    if column_type == "float":
        return [float(cell) if cell else None for cell in cells]
    if column_type == "boolean":
        return [cell.lower() == "true" if cell else None for cell in cells]
    return [json.loads(cell) if cell else None for cell in cells]

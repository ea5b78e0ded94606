"""A page of search results and the cursor of the next one (the sort key of the last row)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_after: tuple[str, ...] | None
    """Pass as ``SearchQuery.after`` for the next page; None on the last page."""


def page_of(rows: list[T], limit: int, key: Callable[[T], tuple[str, ...]]) -> Page[T]:
    """``rows`` were fetched with ``limit + 1``: one more row means there is a next page."""
    items = rows[:limit]
    return Page(items, key(items[-1]) if len(rows) > limit else None)

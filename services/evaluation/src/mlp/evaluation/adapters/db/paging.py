"""Keyset pages in creation order: ``after`` is the id of the last item of the previous page.

An ``after`` naming no row of the table gives an empty page (it joins the anchor row).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, Table, select, tuple_


def after_id(query: Select[Any], table: Table, after: uuid.UUID | None, *, descending: bool = False) -> Select[Any]:
    key = tuple_(table.c.created_at, table.c.id)
    if after is not None:
        anchor = select(table.c.created_at, table.c.id).where(table.c.id == after).subquery("anchor")
        anchor_key = tuple_(anchor.c.created_at, anchor.c.id)
        query = query.where(key < anchor_key if descending else key > anchor_key)
    order = (table.c.created_at.desc(), table.c.id.desc()) if descending else (table.c.created_at, table.c.id)
    return query.order_by(*order)

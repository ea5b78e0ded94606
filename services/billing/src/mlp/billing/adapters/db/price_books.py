"""Price books and their items on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.billing.adapters.db.tables import price_books, price_items
from mlp.billing.domain.price_books import PriceBook
from mlp.billing.domain.pricing import PriceItem, Tier


def _tiers_to_json(tiers: Sequence[Tier]) -> list[dict[str, Any]]:
    return [
        {
            "up_to": None if t.up_to is None else str(t.up_to),
            "unit_price": str(t.unit_price),
            "flat_fee": str(t.flat_fee),
        }
        for t in tiers
    ]


def _tiers_from_json(raw: list[dict[str, Any]]) -> tuple[Tier, ...]:
    return tuple(
        Tier(
            up_to=None if t.get("up_to") is None else Decimal(t["up_to"]),
            unit_price=Decimal(t["unit_price"]),
            flat_fee=Decimal(t.get("flat_fee") or 0),
        )
        for t in raw
    )


class SqlPriceBooks:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def lock_owner(self, user_id: uuid.UUID | None) -> None:
        key = f"billing.price_books:{user_id or 'default'}"
        await self._connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})

    async def _load(self, where: Any) -> list[PriceBook]:
        books = (
            await self._connection.execute(select(price_books).where(where).order_by(price_books.c.effective_from))
        ).all()
        if not books:
            return []
        ids = [b.id for b in books]
        items = (await self._connection.execute(select(price_items).where(price_items.c.price_book_id.in_(ids)))).all()
        by_book: dict[uuid.UUID, list[PriceItem]] = {}
        for i in items:
            by_book.setdefault(i.price_book_id, []).append(
                PriceItem(
                    metric=i.metric,
                    model=i.model,
                    unit_price=i.unit_price,
                    package_size=i.package_size,
                    tiers=_tiers_from_json(i.tiers),
                    free_quantity=i.free_quantity,
                )
            )
        return [
            PriceBook(
                id=b.id,
                name=b.name,
                currency=b.currency,
                user_id=b.user_id,
                effective_from=b.effective_from,
                effective_to=b.effective_to,
                items=tuple(sorted(by_book.get(b.id, []), key=lambda i: i.metric)),
                created_at=b.created_at,
            )
            for b in books
        ]

    async def of_owner(self, user_id: uuid.UUID | None) -> list[PriceBook]:
        owner = price_books.c.user_id.is_(None) if user_id is None else price_books.c.user_id == user_id
        return await self._load(owner)

    async def visible_to(self, user_id: uuid.UUID) -> list[PriceBook]:
        return await self._load(or_(price_books.c.user_id.is_(None), price_books.c.user_id == user_id))

    async def get(self, book_id: uuid.UUID) -> PriceBook | None:
        found = await self._load(price_books.c.id == book_id)
        return found[0] if found else None

    async def many(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, PriceBook]:
        if not ids:
            return {}
        return {b.id: b for b in await self._load(price_books.c.id.in_(list(ids)))}

    async def add(self, book: PriceBook) -> None:
        await self._connection.execute(
            price_books.insert().values(
                id=book.id,
                name=book.name,
                currency=book.currency,
                user_id=book.user_id,
                effective_from=book.effective_from,
                effective_to=book.effective_to,
            )
        )
        if book.items:
            await self._connection.execute(
                price_items.insert(),
                [
                    {
                        "price_book_id": book.id,
                        "metric": i.metric,
                        "model": i.model,
                        "unit_price": i.unit_price,
                        "package_size": i.package_size,
                        "tiers": _tiers_to_json(i.tiers),
                        "free_quantity": i.free_quantity,
                    }
                    for i in book.items
                ],
            )

    async def end(self, book_id: uuid.UUID, effective_to: datetime) -> None:
        await self._connection.execute(
            update(price_books).where(price_books.c.id == book_id).values(effective_to=effective_to)
        )

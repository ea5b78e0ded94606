"""Price books: operators set them; exactly one is in force for a user at any moment.

A book applies from ``effective_from`` (now or later: prices are never changed retroactively,
past usage keeps the book it was rated with; a correction is a reconciliation adjustment) until
``effective_to`` or open-ended. A user's own book takes precedence over the default book while it
is in force; among one owner's books (the default's, or one user's) windows never overlap: an
overlap is a 409. Changes to one owner's books are serialised by an advisory lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from mlp.billing.application.audit import operation
from mlp.billing.application.ports import Clock, Transactions
from mlp.billing.domain.errors import Conflict, InvalidInput, NotFound
from mlp.billing.domain.metrics import MetricCatalogue
from mlp.billing.domain.price_books import PriceBook
from mlp.billing.domain.pricing import PriceItem, check_item

CLOCK_GRACE = timedelta(minutes=1)


class PriceBooks:
    def __init__(self, transactions: Transactions, clock: Clock, metrics: MetricCatalogue) -> None:
        self._tx = transactions
        self._clock = clock
        self._metrics = metrics

    async def create(
        self,
        name: str,
        currency: str,
        user_id: uuid.UUID | None,
        effective_from: datetime | None,
        effective_to: datetime | None,
        items: Sequence[PriceItem],
    ) -> PriceBook:
        now = self._clock.now()
        start = effective_from or now
        if start < now - CLOCK_GRACE:
            raise InvalidInput("retroactive-price-book", "effective_from must not be in the past", "effective_from")
        if effective_to is not None and effective_to <= start:
            raise InvalidInput("invalid-window", "effective_to must be after effective_from", "effective_to")
        seen: set[str] = set()
        for index, item in enumerate(items):
            if not self._metrics.priceable(item.metric):
                raise InvalidInput("unknown-metric", f"unknown metric {item.metric!r}", f"items[{index}].metric")
            if item.metric in seen:
                raise InvalidInput("duplicate-metric", f"{item.metric} is priced twice", f"items[{index}].metric")
            seen.add(item.metric)
            problem = check_item(item)
            if problem:
                raise InvalidInput("invalid-price", problem, f"items[{index}]")
        book = PriceBook(uuid.uuid4(), name, currency, user_id, start, effective_to, tuple(items), now)
        async with self._tx() as tx:
            await tx.books.lock_owner(user_id)
            clash = next((b for b in await tx.books.of_owner(user_id) if b.overlaps(start, effective_to)), None)
            if clash is not None:
                raise Conflict("price-book-overlap", f"overlaps price book {clash.id} ({clash.name})", "effective_from")
            await tx.books.add(book)
            await tx.outbox.audit(
                [operation(user_id, "price_book.created", "price_book", book.id, now, name=name, currency=currency)]
            )
        return book

    async def end(self, book_id: uuid.UUID, effective_to: datetime) -> PriceBook:
        """Close an open-ended (or later-ending) book, from now on at the earliest."""
        now = self._clock.now()
        if effective_to < now - CLOCK_GRACE:
            raise InvalidInput("retroactive-price-book", "effective_to must not be in the past", "effective_to")
        async with self._tx() as tx:
            book = await tx.books.get(book_id)
            if book is None:
                raise NotFound("not-found", "no such price book")
            await tx.books.lock_owner(book.user_id)
            if effective_to <= book.effective_from:
                raise InvalidInput("invalid-window", "effective_to must be after effective_from", "effective_to")
            if book.effective_to is not None and book.effective_to < now:
                raise Conflict("price-book-ended", "this book has already ended", "effective_to")
            others = [b for b in await tx.books.of_owner(book.user_id) if b.id != book.id]
            clash = next((b for b in others if b.overlaps(book.effective_from, effective_to)), None)
            if clash is not None:
                raise Conflict("price-book-overlap", f"overlaps price book {clash.id} ({clash.name})", "effective_to")
            await tx.books.end(book_id, effective_to)
            await tx.outbox.audit(
                [operation(book.user_id, "price_book.ended", "price_book", book_id, now, effective_to=effective_to)]
            )
        return PriceBook(
            book.id,
            book.name,
            book.currency,
            book.user_id,
            book.effective_from,
            effective_to,
            book.items,
            book.created_at,
        )

    async def visible_to(self, user_id: uuid.UUID) -> list[PriceBook]:
        async with self._tx() as tx:
            return await tx.books.visible_to(user_id)

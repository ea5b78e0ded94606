"""The Stripe prices of a price book: made on first need, one metered price per item (and a meter per metric).

Each call carries an Idempotency-Key derived from the book and metric, and what Stripe made is
recorded per (book, metric), so a retry or a second checkout reuses the prices. A book's items never
change once created (a new price is a new book), so its prices never need updating.
"""

from __future__ import annotations

from datetime import datetime

from mlp.billing.application.ports import StripeGateway, Transactions
from mlp.billing.domain.errors import Conflict
from mlp.billing.domain.plan import NotExpressible, price_terms
from mlp.billing.domain.price_books import PriceBook


def book_in_force(books: list[PriceBook], at: datetime) -> PriceBook | None:
    """The user's own book in force wins over the default one."""
    current = [b for b in books if b.effective_from <= at and (b.effective_to is None or at < b.effective_to)]
    return min(current, key=lambda b: b.user_id is None, default=None)


class PlanPrices:
    def __init__(self, transactions: Transactions, stripe: StripeGateway) -> None:
        self._tx = transactions
        self._stripe = stripe

    async def ensure(self, book: PriceBook) -> list[str]:
        """The Stripe price ids billing ``book``'s items, in metric order."""
        try:
            terms = {item.metric: price_terms(item) for item in book.items}
        except NotExpressible as exc:
            raise Conflict("plan-not-expressible", str(exc)) from None
        async with self._tx() as tx:
            known = await tx.plan_prices.of_book(book.id)
        for metric in sorted(terms.keys() - known.keys()):
            async with self._tx() as tx:
                meter = await tx.plan_prices.meter_of(metric)
            if meter is None:
                meter = await self._stripe.create_meter(metric, idempotency_key=f"meter-{metric}")
            known[metric] = await self._stripe.create_price(
                metric, book.currency, meter, terms[metric], idempotency_key=f"price-{book.id}-{metric}"
            )
            async with self._tx() as tx:
                await tx.plan_prices.add(book.id, metric, meter, known[metric])
        return [known[metric] for metric in sorted(terms)]

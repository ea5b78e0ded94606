"""Paying for the platform: a Checkout Session (subscription mode) for the plan, the customer portal,
and the subscription as Stripe's webhooks report it.

The plan is the user's price book in force, as Stripe prices (:class:`PlanPrices`); the meter
events billing already sends are the usage those prices bill, so the invoice Stripe makes for a
period is the rated summary of that period (reconciliation checks it and corrects any difference).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from mlp.billing.application.meter_push import CustomerLinks
from mlp.billing.application.plan_prices import PlanPrices, book_in_force
from mlp.billing.application.ports import Clock, StripeGateway, Transactions
from mlp.billing.domain.errors import Conflict, NotFound
from mlp.billing.domain.stripe_objects import CheckoutLink
from mlp.billing.domain.subscriptions import LIVE_STATUSES


@dataclass(frozen=True, slots=True)
class ReturnUrls:
    """Where Stripe's pages send the user back (the platform's own pages: never taken from a request)."""

    checkout_success: str
    checkout_cancel: str
    portal_return: str


class Subscriptions:
    def __init__(
        self,
        transactions: Transactions,
        stripe: StripeGateway,
        customers: CustomerLinks,
        clock: Clock,
        urls: ReturnUrls,
    ) -> None:
        self._tx = transactions
        self._stripe = stripe
        self._customers = customers
        self._clock = clock
        self._urls = urls
        self._plan = PlanPrices(transactions, stripe)

    async def checkout(self, user_id: uuid.UUID) -> CheckoutLink:
        async with self._tx() as tx:
            if any(s["status"] in LIVE_STATUSES for s in await tx.subscriptions.of_user(user_id)):
                raise Conflict("already-subscribed", "the user has a subscription: manage it in the customer portal")
            book = book_in_force(await tx.books.visible_to(user_id), self._clock.now())
        if book is None:
            raise Conflict("no-plan", "no price book is in force")
        prices = await self._plan.ensure(book)
        customer = await self._customers.ensure(user_id)
        return await self._stripe.create_checkout_session(
            customer, prices, self._urls.checkout_success, self._urls.checkout_cancel
        )

    async def portal(self, user_id: uuid.UUID) -> str:
        async with self._tx() as tx:
            customer = await tx.customers.customer_of(user_id)
        if customer is None:
            raise NotFound("no-customer", "the user has no Stripe customer yet: check out first")
        return await self._stripe.create_portal_session(customer, self._urls.portal_return)

    async def of_user(self, user_id: uuid.UUID) -> list[dict[str, Any]]:
        async with self._tx() as tx:
            return await tx.subscriptions.of_user(user_id)

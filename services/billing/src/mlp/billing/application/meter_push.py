"""Pushing rated usage to Stripe as billing meter events (a worker job per ingested batch).

For each event not pushed yet: the user's Stripe customer (created on demand and linked), one
meter event with our (user, event) key as Stripe's ``identifier``, then the event is marked
pushed. A Stripe failure raises: the job is retried with backoff, events already pushed are
skipped, and one pushed but not yet marked is deduplicated by Stripe on its identifier.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from mlp.billing.application.audit import operation
from mlp.billing.application.ports import Clock, StripeGateway, Transactions, UserEmails


class CustomerLinks:
    """A user's Stripe customer, created on first need (idempotent on the user id) with the email
    identity knows (Stripe's receipts, invoices and Checkout use it), and linked."""

    def __init__(self, transactions: Transactions, stripe: StripeGateway, clock: Clock, emails: UserEmails) -> None:
        self._tx = transactions
        self._stripe = stripe
        self._clock = clock
        self._emails = emails

    async def ensure(self, user_id: uuid.UUID) -> str:
        async with self._tx() as tx:
            known = await tx.customers.customer_of(user_id)
        if known is not None:
            return known
        email = await self._emails.email_of(user_id)
        created = await self._stripe.create_customer(user_id, email, idempotency_key=f"customer-{user_id}")
        async with self._tx() as tx:
            linked = await tx.customers.link(user_id, created, email)
            if linked == created:
                await tx.outbox.audit(
                    [operation(user_id, "stripe_customer.linked", "stripe_customer", created, self._clock.now())]
                )
        return linked


class MeterPusher:
    def __init__(self, transactions: Transactions, stripe: StripeGateway, customers: CustomerLinks) -> None:
        self._tx = transactions
        self._stripe = stripe
        self._customers = customers

    async def push(self, keys: Sequence[tuple[uuid.UUID, str]]) -> int:
        async with self._tx() as tx:
            pending = await tx.usage.unpushed(keys)
        pushed = 0
        customers: dict[uuid.UUID, str] = {}
        for event in pending:
            if event.user_id not in customers:
                customers[event.user_id] = await self._customers.ensure(event.user_id)
            await self._stripe.send_meter_event(event, customers[event.user_id])
            async with self._tx() as tx:
                await tx.usage.mark_pushed([(event.user_id, event.source, event.event_id)])
            pushed += 1
        return pushed

"""Stripe webhooks: stored once on receipt (answered fast), processed by a worker job.

Processing is idempotent and order-proof: an invoice snapshot only replaces an older one
(Stripe's event ``created``, then the status' rank in the invoice lifecycle), so five shuffled
deliveries of the same events end in the state one ordered delivery gives. An event that could
not be processed (no user is linked to its customer) is kept ``failed``; an operator lists those
and replays one once the cause is fixed.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from mlp.billing.application.audit import operation
from mlp.billing.application.jobs import NOTIFY_ALERT, PROCESS_STRIPE_EVENT, StripeEventJob
from mlp.billing.application.notices import alert_notice
from mlp.billing.application.ports import Clock, Transaction, Transactions
from mlp.billing.domain.errors import Conflict, NotFound
from mlp.billing.domain.periods import Period
from mlp.billing.domain.stripe_objects import InvoiceSnapshot, StripeEvent
from mlp.billing.domain.subscriptions import SubscriptionSnapshot


class StripeWebhooks:
    def __init__(self, transactions: Transactions, clock: Clock) -> None:
        self._tx = transactions
        self._clock = clock

    async def receive(self, payload: dict[str, Any], raw: bytes) -> bool:
        """Store the verified event once; True the first time (then its processing job is queued)."""
        event = StripeEvent.from_payload(payload)
        async with self._tx() as tx:
            first = await tx.webhooks.store_once(event, raw)
            if first:
                job = msgspec.json.encode(StripeEventJob(stripe_event_id=event.id))
                await tx.outbox.enqueue(PROCESS_STRIPE_EVENT, [job], [f"stripe-event:{event.id}"])
        return first

    async def failed(self, limit: int) -> list[dict[str, Any]]:
        async with self._tx() as tx:
            return await tx.webhooks.of_status("failed", limit)

    async def replay(self, stripe_event_id: str) -> None:
        """Queue a failed event's processing again (its own job: the first one is spent)."""
        async with self._tx() as tx:
            loaded = await tx.webhooks.load(stripe_event_id)
            if loaded is None:
                raise NotFound("not-found", "no such Stripe event")
            if loaded[1]["status"] == "processed":
                raise Conflict("already-processed", "the event was processed")
            job = msgspec.json.encode(StripeEventJob(stripe_event_id=stripe_event_id))
            await tx.outbox.enqueue(PROCESS_STRIPE_EVENT, [job], [f"stripe-event:{stripe_event_id}:{uuid.uuid4()}"])
            await tx.outbox.audit(
                [operation(None, "stripe_event.replayed", "stripe_event", stripe_event_id, self._clock.now())]
            )

    async def process(self, stripe_event_id: str) -> None:
        async with self._tx() as tx:
            loaded = await tx.webhooks.load(stripe_event_id)
            if loaded is None:
                return
            event, _ = loaded
            if event.type.startswith(("invoice.", "customer.subscription.")):
                handled = await (self._invoice if event.type.startswith("invoice.") else self._subscription)(tx, event)
                if not handled:
                    # a customer that is not one of ours (another integration on the account):
                    # kept as failed, with the raw event, rather than retried for ever
                    await tx.webhooks.mark(stripe_event_id, "failed", "no user is linked to this customer")
                    return
            elif event.type == "customer.deleted":
                user_id = await tx.customers.unlink_customer(str(event.object.get("id")))
                if user_id is not None:
                    await tx.outbox.audit(
                        [
                            operation(
                                user_id,
                                "stripe_customer.unlinked",
                                "stripe_customer",
                                event.object.get("id"),
                                self._clock.now(),
                            )
                        ]
                    )
            await tx.webhooks.mark(stripe_event_id, "processed")

    async def _subscription(self, tx: Transaction, event: StripeEvent) -> bool:
        """Keep the subscription's state; False when its customer is nobody's."""
        snapshot = SubscriptionSnapshot.from_event(event)
        user_id = await _owner(tx, snapshot.stripe_customer_id, event)
        if user_id is None:
            return False
        if await tx.subscriptions.upsert_if_newer(user_id, snapshot):
            await self._audit_change(tx, user_id, "subscription", snapshot.stripe_subscription_id, snapshot.status)
        return True

    async def _invoice(self, tx: Transaction, event: StripeEvent) -> bool:
        """Cache the invoice; False when its customer is nobody's."""
        snapshot = InvoiceSnapshot.from_event(event)
        user_id = await _owner(tx, snapshot.stripe_customer_id, event)
        if user_id is None:
            return False
        if await tx.invoices.upsert_if_newer(user_id, snapshot):
            await self._audit_change(tx, user_id, "invoice", snapshot.stripe_invoice_id, snapshot.status)
        if event.type == "invoice.payment_failed":
            period = Period.of(snapshot.period_start)
            alert_id = await tx.alerts.record(
                user_id,
                "payment_failed",
                period.start,
                0,
                snapshot.amount_due_minor,
                snapshot.currency,
                {"stripe_invoice_id": snapshot.stripe_invoice_id, "hosted_invoice_url": snapshot.hosted_invoice_url},
            )
            if alert_id is not None:
                await tx.outbox.audit(
                    [
                        operation(
                            user_id, "alert.raised", "billing_alert", alert_id, self._clock.now(), kind="payment_failed"
                        )
                    ]
                )
                budget = await tx.budgets.get(user_id)
                if budget is not None and budget.webhook_url:
                    notice = alert_notice(
                        alert_id,
                        user_id,
                        budget.webhook_url,
                        "payment_failed",
                        snapshot.amount_due_minor,
                        snapshot.currency,
                        period,
                    )
                    await tx.outbox.enqueue(NOTIFY_ALERT, [notice], [f"alert:{alert_id}"])
        return True

    async def _audit_change(self, tx: Transaction, user_id: uuid.UUID, kind: str, object_id: str, status: str) -> None:
        """A Stripe object's newer state was kept: ``<kind>.updated`` in the audit trail."""
        changed = operation(user_id, f"{kind}.updated", kind, object_id, self._clock.now(), status=status)
        await tx.outbox.audit([changed])


async def _owner(tx: Transaction, stripe_customer_id: str, event: StripeEvent) -> uuid.UUID | None:
    """The user a Stripe object belongs to: its customer's link, else the ``user_id`` metadata."""
    return await tx.customers.user_of(stripe_customer_id) or _user_from_metadata(event.object)


def _user_from_metadata(invoice: dict[str, Any]) -> uuid.UUID | None:
    raw = (invoice.get("customer_metadata") or invoice.get("metadata") or {}).get("user_id")
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None

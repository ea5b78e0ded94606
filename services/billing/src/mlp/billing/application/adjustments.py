"""Applying a reconciliation adjustment to Stripe, and approving the large ones first.

An adjustment becomes an invoice item when Stripe billed too little (or too much with no invoice
to credit), a credit note on the period's invoice when Stripe billed too much. Its id is the
Idempotency-Key, so applying it again (a retry, a second approval) creates nothing twice.
Adjustments above the approval threshold wait (``awaiting_approval``) for an operator.
"""

from __future__ import annotations

import uuid
from typing import Any

from mlp.billing.application.audit import operation
from mlp.billing.application.meter_push import CustomerLinks
from mlp.billing.application.ports import Clock, StripeGateway, Transaction, Transactions
from mlp.billing.domain.errors import Conflict, NotFound
from mlp.billing.domain.periods import Period


async def invoice_to_credit(tx: Transaction, user_id: uuid.UUID, period: Period) -> str | None:
    """The user's finalized invoice of the period, the one a credit note can go on."""
    invoices = await tx.invoices.for_period(period.starts_at, period.ends_at)
    return next(
        (i["stripe_invoice_id"] for i in invoices if i["user_id"] == user_id and i["status"] in ("open", "paid")), None
    )


class AdjustmentApplier:
    def __init__(
        self, transactions: Transactions, stripe: StripeGateway, customers: CustomerLinks, clock: Clock
    ) -> None:
        self._tx = transactions
        self._stripe = stripe
        self._customers = customers
        self._clock = clock

    async def apply(self, adjustment: dict[str, Any], period: Period) -> None:
        amount = int(adjustment["amount_minor"])
        key = f"adjustment-{adjustment['id']}"
        async with self._tx() as tx:
            invoice_id = await invoice_to_credit(tx, adjustment["user_id"], period)
        if amount < 0 and invoice_id:
            object_id = await self._stripe.create_credit_note(invoice_id, -amount, adjustment["reason"], key)
        else:
            customer = await self._customers.ensure(adjustment["user_id"])
            object_id = await self._stripe.create_invoice_item(
                customer, amount, adjustment["currency"], f"Usage adjustment {period.label}", key
            )
        async with self._tx() as tx:
            await tx.reconciliation.mark_applied(adjustment["id"], object_id)
            await tx.outbox.audit(
                [
                    operation(
                        adjustment["user_id"],
                        "adjustment.applied",
                        "reconciliation_adjustment",
                        adjustment["id"],
                        self._clock.now(),
                        amount_minor=amount,
                        stripe_object_id=object_id,
                    )
                ]
            )

    async def approve(self, adjustment_id: uuid.UUID, operator: str) -> dict[str, Any]:
        """Apply an adjustment that waited for approval; approving an applied one changes nothing."""
        async with self._tx() as tx:
            found = await tx.reconciliation.adjustment(adjustment_id)
            if found is None:
                raise NotFound("not-found", "no such adjustment")
            if found["status"] == "applied":
                return found
            if found["status"] not in ("awaiting_approval", "proposed"):
                raise Conflict("not-awaiting-approval", f"the adjustment is {found['status']}")
            await tx.reconciliation.approve(adjustment_id)
            await tx.outbox.audit(
                [
                    operation(
                        found["user_id"],
                        "adjustment.approved",
                        "reconciliation_adjustment",
                        adjustment_id,
                        self._clock.now(),
                        operator=operator,
                        amount_minor=int(found["amount_minor"]),
                    )
                ]
            )
        await self.apply(found, Period.of(found["period_start"]))
        async with self._tx() as tx:
            return await tx.reconciliation.adjustment(adjustment_id) or found

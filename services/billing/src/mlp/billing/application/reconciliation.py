"""Reconciliation of a period: per user, rated usage against Stripe's invoice lines.

A run is a worker job. Per user it computes ``rated - invoiced - already applied`` (what earlier
runs of the period corrected); a non-zero difference becomes a ReconciliationAdjustment, applied
to Stripe through the port: an invoice item when Stripe billed too little (or too much with no
invoice to credit), a credit note on the period's invoice when Stripe billed too much. The
adjustment's id is the Idempotency-Key, and an adjustment left ``proposed`` by a crash is applied
on the retry before anything is recomputed: running a period twice applies nothing twice.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from mlp.billing.application.audit import operation
from mlp.billing.application.jobs import RUN_RECONCILIATION, ReconciliationJob
from mlp.billing.application.meter_push import CustomerLinks
from mlp.billing.application.ports import Clock, StripeGateway, Transactions
from mlp.billing.application.reports import rate, totals
from mlp.billing.domain.errors import Conflict, InvalidInput, NotFound
from mlp.billing.domain.periods import Period

DEFAULT_CURRENCY = "USD"


class Reconciliation:
    def __init__(
        self, transactions: Transactions, stripe: StripeGateway, customers: CustomerLinks, clock: Clock
    ) -> None:
        self._tx = transactions
        self._stripe = stripe
        self._customers = customers
        self._clock = clock

    async def start(self, period_label: str) -> uuid.UUID:
        try:
            period = Period.parse(period_label)
        except ValueError:
            raise InvalidInput("invalid-period", "period is YYYY-MM", "period") from None
        async with self._tx() as tx:
            run_id = await tx.reconciliation.create_run(period.starts_at, period.ends_at)
            if run_id is None:
                raise Conflict("run-in-progress", f"a reconciliation of {period.label} is already queued or running")
            job = msgspec.json.encode(ReconciliationJob(run_id=run_id))
            await tx.outbox.enqueue(RUN_RECONCILIATION, [job], [f"reconciliation:{run_id}"])
            await tx.outbox.audit(
                [
                    operation(
                        None,
                        "reconciliation.started",
                        "reconciliation_run",
                        run_id,
                        self._clock.now(),
                        period=period.label,
                    )
                ]
            )
        return run_id

    async def run(self, run_id: uuid.UUID) -> None:
        async with self._tx() as tx:
            found = await tx.reconciliation.get_run(run_id)
            if found is None or found["status"] in ("succeeded", "failed"):
                return
            period = Period.of(found["period_start"])
            users = await tx.usage.users_with_usage(period.start, period.end)
            invoiced_users = {i["user_id"] for i in await tx.invoices.for_period(period.starts_at, period.ends_at)}
            everyone = sorted(set(users) | invoiced_users)
            await tx.reconciliation.set_run(
                run_id,
                status="running",
                users_total=len(everyone),
                users_done=0,
                started_at=self._clock.now(),
                attempts=found["attempts"] + 1,
            )
        applied_count, applied_sum = 0, 0
        for done, user_id in enumerate(everyone, start=1):
            amount = await self._reconcile_user(run_id, user_id, period)
            applied_count += amount != 0
            applied_sum += amount
            async with self._tx() as tx:
                await tx.reconciliation.set_run(run_id, users_done=done)
        async with self._tx() as tx:
            summary = {"adjustments": applied_count, "amount_minor": applied_sum, "users": len(everyone)}
            await tx.reconciliation.set_run(run_id, status="succeeded", finished_at=self._clock.now(), summary=summary)
            await tx.outbox.audit(
                [operation(None, "reconciliation.finished", "reconciliation_run", run_id, self._clock.now(), **summary)]
            )

    async def _reconcile_user(self, run_id: uuid.UUID, user_id: uuid.UUID, period: Period) -> int:
        async with self._tx() as tx:
            leftovers = [
                a
                for a in await tx.reconciliation.adjustments(run_id)
                if a["user_id"] == user_id and a["status"] == "proposed"
            ]
        for adjustment in leftovers:
            await self._apply(adjustment, period)
        customer = await self._customers.ensure(user_id)
        invoiced = await self._stripe.invoice_lines_total(customer, period.starts_at, period.ends_at)
        async with self._tx() as tx:
            lines, _ = await rate(tx, user_id, period)
            rated_by_currency = totals(lines)
            currency, rated = next(iter(rated_by_currency.items()), (DEFAULT_CURRENCY, 0))
            applied = await tx.reconciliation.applied_total(user_id, period.starts_at, period.ends_at)
            difference = rated - invoiced - applied
            if difference == 0:
                return sum(int(a["amount_minor"]) for a in leftovers)
            reason = f"{period.label}: rated {rated}, invoiced {invoiced}, adjusted before {applied}"
            adjustment_id = await tx.reconciliation.add_adjustment(run_id, user_id, difference, currency, reason)
            invoices = [
                i for i in await tx.invoices.for_period(period.starts_at, period.ends_at) if i["user_id"] == user_id
            ]
        adjustment = {
            "id": adjustment_id,
            "user_id": user_id,
            "amount_minor": difference,
            "currency": currency,
            "reason": reason,
            "stripe_invoice_id": next(
                (i["stripe_invoice_id"] for i in invoices if i["status"] in ("open", "paid")), None
            ),
        }
        await self._apply(adjustment, period)
        return difference + sum(int(a["amount_minor"]) for a in leftovers)

    async def _apply(self, adjustment: dict[str, Any], period: Period) -> None:
        amount = int(adjustment["amount_minor"])
        key = f"adjustment-{adjustment['id']}"
        invoice_id = adjustment.get("stripe_invoice_id")
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

    async def get(self, run_id: uuid.UUID) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        async with self._tx() as tx:
            found = await tx.reconciliation.get_run(run_id)
            if found is None:
                raise NotFound("not-found", "no such reconciliation run")
            return found, await tx.reconciliation.adjustments(run_id)

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        async with self._tx() as tx:
            return await tx.reconciliation.list_runs(limit)

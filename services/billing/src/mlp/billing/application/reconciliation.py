"""Reconciliation of a period: per user, rated usage against Stripe's invoice lines.

A run is a worker job. Per user it computes ``rated - invoiced - already applied`` (what earlier
runs of the period corrected); a non-zero difference becomes a ReconciliationAdjustment, applied
to Stripe through the port: an invoice item when Stripe billed too little (or too much with no
invoice to credit), a credit note on the period's invoice when Stripe billed too much
(:mod:`~mlp.billing.application.adjustments`); one above the approval threshold waits for an
operator instead. An adjustment left ``proposed`` by a crash (of this run or of a failed run of the
period) is applied, with its own key, before anything is recomputed: running a period twice
applies nothing twice.

A running run heart-beats with each user done. One whose heartbeat is older than the timeout (its
worker died, or its job keeps failing) is marked ``failed`` with its error when the period is
started again, so a crash never blocks its period.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import msgspec

from mlp.billing.application.adjustments import AdjustmentApplier
from mlp.billing.application.audit import operation
from mlp.billing.application.jobs import RUN_RECONCILIATION, ReconciliationJob
from mlp.billing.application.meter_push import CustomerLinks
from mlp.billing.application.ports import Clock, StripeGateway, Transactions
from mlp.billing.application.reports import rate, totals
from mlp.billing.domain.errors import Conflict, InvalidInput, NotFound
from mlp.billing.domain.periods import Period

DEFAULT_CURRENCY = "USD"


@dataclass(frozen=True, slots=True)
class ReconciliationPolicy:
    heartbeat_timeout: timedelta = timedelta(minutes=5)
    approval_threshold_minor: int = 10_000
    """An adjustment whose absolute amount is above this waits for an operator's approval."""


class Reconciliation:
    def __init__(
        self,
        transactions: Transactions,
        stripe: StripeGateway,
        customers: CustomerLinks,
        clock: Clock,
        policy: ReconciliationPolicy,
    ) -> None:
        self._tx = transactions
        self._stripe = stripe
        self._customers = customers
        self._clock = clock
        self._policy = policy
        self._applier = AdjustmentApplier(transactions, stripe, customers, clock)

    async def start(self, period_label: str) -> uuid.UUID:
        try:
            period = Period.parse(period_label)
        except ValueError:
            raise InvalidInput("invalid-period", "period is YYYY-MM", "period") from None
        async with self._tx() as tx:
            now = self._clock.now()
            for stale in await tx.reconciliation.fail_stale(
                period.starts_at, period.ends_at, now - self._policy.heartbeat_timeout
            ):
                await tx.outbox.audit(
                    [operation(None, "reconciliation.failed", "reconciliation_run", stale, now, reason="no heartbeat")]
                )
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
            try:
                amount = await self._reconcile_user(run_id, user_id, period)
            except Exception as exc:
                async with self._tx() as tx:  # kept for the operator; the job retries
                    await tx.reconciliation.set_run(run_id, error=f"{type(exc).__name__}: {exc}")
                raise
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
            # left by a crash of this run, or of a failed one (maybe already in Stripe: same key)
            leftovers = await tx.reconciliation.proposed(user_id, period.starts_at, period.ends_at)
        for adjustment in leftovers:
            await self._applier.apply(adjustment, period)
        customer = await self._customers.ensure(user_id)
        invoiced = await self._stripe.invoice_lines_total(customer, period.starts_at, period.ends_at)
        async with self._tx() as tx:
            lines, _ = await rate(tx, user_id, period)
            rated_by_currency = totals(lines)
            currency, rated = next(iter(rated_by_currency.items()), (DEFAULT_CURRENCY, 0))
            accounted = await tx.reconciliation.accounted_total(user_id, period.starts_at, period.ends_at)
            difference = rated - invoiced - accounted
            if difference == 0:
                return sum(int(a["amount_minor"]) for a in leftovers)
            reason = f"{period.label}: rated {rated}, invoiced {invoiced}, adjusted before {accounted}"
            waits = abs(difference) > self._policy.approval_threshold_minor
            adjustment_id = await tx.reconciliation.add_adjustment(
                run_id, user_id, difference, currency, reason, "awaiting_approval" if waits else "proposed"
            )
        if waits:
            return sum(int(a["amount_minor"]) for a in leftovers)
        adjustment = {"id": adjustment_id, "user_id": user_id, "amount_minor": difference, "currency": currency}
        await self._applier.apply({**adjustment, "reason": reason}, period)
        return difference + sum(int(a["amount_minor"]) for a in leftovers)

    async def get(self, run_id: uuid.UUID) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        async with self._tx() as tx:
            found = await tx.reconciliation.get_run(run_id)
            if found is None:
                raise NotFound("not-found", "no such reconciliation run")
            return found, await tx.reconciliation.adjustments(run_id)

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        async with self._tx() as tx:
            return await tx.reconciliation.list_runs(limit)

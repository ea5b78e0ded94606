"""Budgets and their alerts: each threshold fires once per period when the rated cost crosses it.

``check`` runs as a worker job queued with every ingested batch of a user who has a budget: it
rates the current period from the aggregates, records a BillingAlert for each newly crossed
threshold (the unique key makes it fire once, even with concurrent checks) and queues the
signed webhook in the same transaction.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence

import msgspec
import structlog

from mlp.billing.application.audit import operation
from mlp.billing.application.jobs import NOTIFY_ALERT, AlertNotice
from mlp.billing.application.notices import alert_notice
from mlp.billing.application.ports import Clock, Transactions, WebhookRefused, WebhookSender
from mlp.billing.application.reports import BookCache, rate, totals
from mlp.billing.domain.budgets import DEFAULT_THRESHOLDS, Budget
from mlp.billing.domain.errors import InvalidInput, NotFound
from mlp.billing.domain.periods import Period
from mlp.common.contracts.spend import SpendState

_log = structlog.get_logger("billing.budgets")


class Budgets:
    def __init__(self, transactions: Transactions, clock: Clock, sender: WebhookSender) -> None:
        self._tx = transactions
        self._clock = clock
        self._sender = sender
        self._books = BookCache()

    async def put(
        self,
        user_id: uuid.UUID,
        monthly_amount_minor: int,
        currency: str,
        thresholds: Sequence[int] | None,
        webhook_url: str | None,
        *,
        hard_limit: bool = False,
    ) -> Budget:
        levels = tuple(sorted(set(thresholds or DEFAULT_THRESHOLDS)))
        if not levels or any(not 1 <= t <= 1000 for t in levels):
            raise InvalidInput("invalid-thresholds", "thresholds are percents from 1 to 1000", "thresholds")
        if webhook_url is not None and not webhook_url.startswith(("https://", "http://")):
            raise InvalidInput("invalid-url", "webhook_url is an http(s) URL", "webhook_url")
        refusal = await self._sender.refusal(webhook_url) if webhook_url else None
        if refusal is not None:
            raise InvalidInput("forbidden-url", f"webhook_url may not point at {refusal}", "webhook_url")
        async with self._tx() as tx:
            old = await tx.budgets.get(user_id)
            secret = old.webhook_secret if old is not None and old.webhook_secret else None
            if webhook_url and secret is None:
                secret = "whsec_" + secrets.token_urlsafe(32)
            budget = Budget(
                user_id,
                monthly_amount_minor,
                currency,
                levels,
                webhook_url,
                secret if webhook_url else None,
                hard_limit,
            )
            await tx.budgets.put(budget)
            await tx.outbox.audit(
                [
                    operation(
                        user_id,
                        "budget.set",
                        "budget",
                        user_id,
                        self._clock.now(),
                        amount_minor=monthly_amount_minor,
                        hard_limit=hard_limit,
                    )
                ]
            )
        return budget

    async def get(self, user_id: uuid.UUID) -> Budget:
        async with self._tx() as tx:
            budget = await tx.budgets.get(user_id)
        if budget is None:
            raise NotFound("not-found", "no budget is set")
        return budget

    async def delete(self, user_id: uuid.UUID) -> None:
        async with self._tx() as tx:
            if not await tx.budgets.delete(user_id):
                raise NotFound("not-found", "no budget is set")
            await tx.outbox.audit([operation(user_id, "budget.deleted", "budget", user_id, self._clock.now())])

    async def check(self, user_id: uuid.UUID) -> list[int]:
        """The thresholds that fired now."""
        period = Period.of(self._clock.now())
        fired: list[int] = []
        async with self._tx() as tx:
            budget = await tx.budgets.get(user_id)
            if budget is None:
                return fired
            lines, _ = await rate(tx, user_id, period)
            cost = totals(lines).get(budget.currency, 0)
            for threshold in budget.crossed(cost):
                alert_id = await tx.alerts.record(
                    user_id,
                    "budget_threshold",
                    period.start,
                    threshold,
                    cost,
                    budget.currency,
                    {"budget_minor": budget.monthly_amount_minor},
                )
                if alert_id is None:
                    continue
                fired.append(threshold)
                await tx.outbox.audit(
                    [
                        operation(
                            user_id, "alert.raised", "billing_alert", alert_id, self._clock.now(), threshold=threshold
                        )
                    ]
                )
                if budget.webhook_url:
                    notice = alert_notice(
                        alert_id,
                        user_id,
                        budget.webhook_url,
                        "budget_threshold",
                        cost,
                        budget.currency,
                        period,
                        threshold,
                    )
                    await tx.outbox.enqueue(NOTIFY_ALERT, [notice], [f"alert:{alert_id}"])
        return fired

    async def spend_state(self, user_id: uuid.UUID) -> SpendState:
        """The current period's cost by the same rating as the user's summary, against the budget."""
        period = Period.of(self._clock.now())
        async with self._tx() as tx:
            budget = await tx.budgets.get(user_id)
            if budget is None:
                return SpendState(user_id=user_id, period=period.label)
            lines, _ = await rate(tx, user_id, period, self._books)
        cost = totals(lines).get(budget.currency, 0)
        return SpendState(
            user_id=user_id,
            period=period.label,
            spent_minor=cost,
            currency=budget.currency,
            limit_minor=budget.monthly_amount_minor,
            hard_limit=budget.hard_limit,
            exhausted=budget.exhausted(cost),
        )

    async def notify(self, payload: bytes) -> None:
        """Send one alert webhook, signed with the budget's current secret; raising retries the job."""
        notice = msgspec.json.decode(payload, type=AlertNotice)
        async with self._tx() as tx:
            budget = await tx.budgets.get(notice.user_id)
        if budget is None or not budget.webhook_secret:
            return  # the budget (or its webhook) is gone: nobody to tell
        try:
            await self._sender.send(
                notice.url, budget.webhook_secret, notice.body, idempotency_key=str(notice.alert_id)
            )
        except WebhookRefused as refused:
            _log.warning("alert webhook refused, not retried", alert_id=str(notice.alert_id), reason=str(refused))

    async def alerts(self, user_id: uuid.UUID, limit: int) -> list[dict[str, object]]:
        async with self._tx() as tx:
            return await tx.alerts.of_user(user_id, limit)

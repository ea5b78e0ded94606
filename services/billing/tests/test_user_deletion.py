"""identity's user.deleted: usage (parked too), budget, alerts and the customer link go; invoices stay as
financial records."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from billing_harness import Billing, Tokens
from test_stripe_webhooks import deliver, lifecycle
from test_usage_ingestion import event, post

from mlp.billing.application.jobs import PROCESS_STRIPE_EVENT


async def count(billing: Billing, table: str, user: uuid.UUID) -> int:
    async with billing.engine.connect() as conn:
        found = await conn.exec_driver_sql(f"SELECT count(*) FROM billing.{table} WHERE user_id = $1", (user,))
        return int(found.scalar() or 0)


async def test_user_deleted_purges_usage_but_keeps_invoices(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()
    await post(billing, tokens.service(), [event(user, billing), event(user, billing, metric="not.known")])
    assert await count(billing, "parked_usage_events", user) == 1
    assert (
        await billing.client.put(
            "/v1/budgets", json={"monthly_amount_minor": 5, "currency": "USD"}, headers=tokens.user(user)
        )
    ).status_code == 200
    customer = await billing.cases.customer_links.ensure(user)
    for payload in lifecycle(uuid.uuid4().hex[:8], customer):
        await deliver(billing, payload)
    await billing.run_jobs(PROCESS_STRIPE_EVENT)
    assert await count(billing, "billing_alerts", user) == 1

    announcement = {"event_id": str(uuid.uuid4()), "user_id": str(user), "deleted_at": datetime.now(UTC).isoformat()}
    purged = await billing.client.post(
        "/internal/v1/events/user-deleted", json=announcement, headers=tokens.service("identity")
    )
    assert purged.status_code == 200, purged.text
    for table in (
        "usage_events",
        "usage_daily",
        "parked_usage_events",
        "budgets",
        "billing_alerts",
        "stripe_customers",
    ):
        assert await count(billing, table, user) == 0, table
    assert await count(billing, "billing_invoices", user) == 1
    again = await billing.client.post(
        "/internal/v1/events/user-deleted", json=announcement, headers=tokens.service("identity")
    )
    assert again.json()["duplicate"] is True
    assert "user.purged" in await billing.audit_actions()

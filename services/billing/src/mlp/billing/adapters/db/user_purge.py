"""billing's ``user.deleted`` hook, run in the receipt's transaction (once per event).

Removed: the user's usage events (parked ones too) and daily aggregates, budget, alerts and
Stripe customer link.
Kept: invoices and reconciliation runs and adjustments, with the user id only: they are
financial records a business must keep for years (tax and accounting law), they mirror
documents that exist in Stripe anyway, and they hold no personal data beyond that id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.billing.adapters.db.budgets import SqlAlerts, SqlBudgets
from mlp.billing.adapters.db.parked_events import SqlParkedEvents
from mlp.billing.adapters.db.stripe_customers import SqlStripeCustomers
from mlp.billing.adapters.db.transaction import OutboxFactory
from mlp.billing.adapters.db.usage_store import SqlUsageStore
from mlp.billing.application.audit import operation
from mlp.common.contracts.events import UserDeleted


def user_purge(outbox: OutboxFactory) -> Callable[[AsyncConnection, UserDeleted], Awaitable[None]]:
    async def purge(conn: AsyncConnection, event: UserDeleted) -> None:
        events = await SqlUsageStore(conn).purge_user(event.user_id)
        await SqlParkedEvents(conn).purge_user(event.user_id)
        await SqlBudgets(conn).delete(event.user_id)
        await SqlAlerts(conn).purge_user(event.user_id)
        await SqlStripeCustomers(conn).unlink_user(event.user_id)
        await outbox(conn).audit(
            [operation(event.user_id, "user.purged", "user", event.user_id, event.deleted_at, usage_events=events)]
        )

    return purge

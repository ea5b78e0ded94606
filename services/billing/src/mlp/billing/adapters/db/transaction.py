"""One database transaction with billing's repositories and the outbox bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mlp.billing.adapters.db.budgets import SqlAlerts, SqlBudgets
from mlp.billing.adapters.db.invoices import SqlInvoices
from mlp.billing.adapters.db.parked_events import SqlParkedEvents
from mlp.billing.adapters.db.price_books import SqlPriceBooks
from mlp.billing.adapters.db.reconciliation import SqlReconciliation
from mlp.billing.adapters.db.stripe_customers import SqlStripeCustomers
from mlp.billing.adapters.db.subscriptions import SqlPlanPrices, SqlSubscriptions
from mlp.billing.adapters.db.usage_store import SqlUsageStore
from mlp.billing.adapters.db.webhook_events import SqlWebhookEvents
from mlp.billing.application.ports import Outbox

OutboxFactory = Callable[[AsyncConnection], Outbox]


class SqlTransaction:
    def __init__(self, connection: AsyncConnection, outbox: Outbox) -> None:
        self.connection = connection
        self.usage = SqlUsageStore(connection)
        self.books = SqlPriceBooks(connection)
        self.budgets = SqlBudgets(connection)
        self.alerts = SqlAlerts(connection)
        self.customers = SqlStripeCustomers(connection)
        self.invoices = SqlInvoices(connection)
        self.plan_prices = SqlPlanPrices(connection)
        self.subscriptions = SqlSubscriptions(connection)
        self.webhooks = SqlWebhookEvents(connection)
        self.reconciliation = SqlReconciliation(connection)
        self.parked = SqlParkedEvents(connection)
        self.outbox = outbox


def sql_transactions(
    engine: AsyncEngine, outbox: OutboxFactory
) -> Callable[[], AbstractAsyncContextManager[SqlTransaction]]:
    @asynccontextmanager
    async def transaction() -> AsyncIterator[SqlTransaction]:
        async with engine.begin() as connection:
            # SQLAlchemy sends BEGIN with the first statement it runs; the usage store talks to the
            # raw asyncpg connection, so start the transaction before anything else runs.
            await connection.execute(text("SELECT 1"))
            yield SqlTransaction(connection, outbox(connection))

    return transaction

"""The use cases over their adapters: one wiring for the API and the worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.billing.adapters.db.transaction import OutboxFactory, sql_transactions
from mlp.billing.application.adjustments import AdjustmentApplier
from mlp.billing.application.budgets import Budgets
from mlp.billing.application.ingestion import UsageIngestion
from mlp.billing.application.invoices import Invoices
from mlp.billing.application.meter_push import CustomerLinks, MeterPusher
from mlp.billing.application.parking import ParkedUsage
from mlp.billing.application.ports import Clock, StripeGateway, UserEmails, WebhookSender
from mlp.billing.application.price_books import PriceBooks
from mlp.billing.application.reconciliation import Reconciliation, ReconciliationPolicy
from mlp.billing.application.reports import UsageReports
from mlp.billing.application.stripe_webhooks import StripeWebhooks
from mlp.billing.application.subscriptions import ReturnUrls, Subscriptions
from mlp.billing.domain.usage import IngestWindow
from mlp.billing.settings import BillingSettings


@dataclass(frozen=True)
class UseCases:
    usage_ingestion: UsageIngestion
    parked_usage: ParkedUsage
    usage_reports: UsageReports
    price_books: PriceBooks
    budgets: Budgets
    invoices: Invoices
    stripe_webhooks: StripeWebhooks
    meter_pusher: MeterPusher
    reconciliation: Reconciliation
    customer_links: CustomerLinks
    adjustments: AdjustmentApplier
    subscriptions: Subscriptions


USE_CASE_NAMES = tuple(UseCases.__dataclass_fields__)


def use_cases(
    engine: AsyncEngine,
    settings: BillingSettings,
    outbox: OutboxFactory,
    stripe: StripeGateway,
    sender: WebhookSender,
    clock: Clock,
    emails: UserEmails,
) -> UseCases:
    tx = sql_transactions(engine, outbox)
    window = IngestWindow(
        max_age=timedelta(days=settings.usage_max_age_days),
        max_ahead=timedelta(seconds=settings.usage_max_ahead_seconds),
    )
    customers = CustomerLinks(tx, stripe, clock, emails)
    urls = ReturnUrls(settings.checkout_success_url, settings.checkout_cancel_url, settings.portal_return_url)
    metrics = settings.metric_catalogue()
    ingestion = UsageIngestion(tx, clock, metrics, window)
    policy = ReconciliationPolicy(
        heartbeat_timeout=timedelta(seconds=settings.reconciliation_heartbeat_timeout_seconds),
        approval_threshold_minor=settings.reconciliation_approval_threshold_minor,
    )
    return UseCases(
        usage_ingestion=ingestion,
        parked_usage=ParkedUsage(tx, ingestion),
        usage_reports=UsageReports(tx, clock),
        price_books=PriceBooks(tx, clock, metrics),
        budgets=Budgets(tx, clock, sender),
        invoices=Invoices(tx),
        stripe_webhooks=StripeWebhooks(tx, clock),
        meter_pusher=MeterPusher(tx, stripe, customers),
        reconciliation=Reconciliation(tx, stripe, customers, clock, policy),
        customer_links=customers,
        adjustments=AdjustmentApplier(tx, stripe, customers, clock),
        subscriptions=Subscriptions(tx, stripe, customers, clock, urls),
    )

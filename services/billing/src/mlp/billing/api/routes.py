"""Every route of billing's public API."""

from __future__ import annotations

from mlp.billing.api.budgets import delete_budget, get_budget, list_alerts, set_budget
from mlp.billing.api.invoices import get_invoice, list_invoices
from mlp.billing.api.parked_usage import list_parked, replay_parked
from mlp.billing.api.price_books import create_price_book, end_price_book, list_price_books
from mlp.billing.api.reconciliation import approve_adjustment, get_run, list_runs, start_run
from mlp.billing.api.spend_state import spend_state
from mlp.billing.api.stripe_events import failed_stripe_events, replay_stripe_event
from mlp.billing.api.stripe_webhook import stripe_webhook
from mlp.billing.api.subscriptions import create_checkout_session, create_portal_session, list_subscriptions
from mlp.billing.api.usage import usage_daily, usage_summary
from mlp.billing.api.usage_events import report_usage, usage_event_status

ROUTES = [
    report_usage,
    usage_event_status,
    list_parked,
    replay_parked,
    usage_summary,
    usage_daily,
    create_price_book,
    end_price_book,
    list_price_books,
    set_budget,
    get_budget,
    delete_budget,
    spend_state,
    list_alerts,
    list_invoices,
    get_invoice,
    stripe_webhook,
    failed_stripe_events,
    replay_stripe_event,
    start_run,
    list_runs,
    get_run,
    approve_adjustment,
    create_checkout_session,
    create_portal_session,
    list_subscriptions,
]

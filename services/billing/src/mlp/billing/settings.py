"""billing's settings, read from ``BILLING_*`` (then unprefixed) environment variables."""

from __future__ import annotations

from typing import ClassVar

from mlp.billing.domain.metrics import MetricCatalogue
from mlp.common.contracts.usage import METRICS
from mlp.common.runtime.settings import ServiceSettings, load_settings


class BillingSettings(ServiceSettings, frozen=True, kw_only=True):
    peer_url_fields: ClassVar[tuple[str, ...]] = ("identity_url",)
    port: int = 8004
    stripe_api_key: str = ""
    """Stripe secret key (``sk_...``); empty: nothing is sent to Stripe (meter pushes wait)."""
    stripe_api_base: str = "https://api.stripe.com"
    """Where the Stripe SDK sends its calls (tests point it at a local stand-in)."""
    stripe_webhook_secret: str = ""
    """The endpoint's signing secret (``whsec_...``): webhooks are refused without it."""
    stripe_webhook_tolerance_seconds: int = 300
    checkout_success_url: str = "http://127.0.0.1:8004/schema?checkout=success"
    """Where Stripe's Checkout page sends the user after paying (the platform's web app in production)."""
    checkout_cancel_url: str = "http://127.0.0.1:8004/schema?checkout=cancelled"
    portal_return_url: str = "http://127.0.0.1:8004/schema"
    """Where the customer portal's "return" link goes."""
    usage_max_age_days: int = 35
    usage_max_ahead_seconds: int = 300
    page_size_max: int = 100
    alert_webhook_timeout_seconds: float = 5.0
    meter_push_batch: int = 1000
    retention_usage_events_days: float = 400.0
    """Raw usage events (a year and a month: a disputed yearly invoice can be re-rated); daily aggregates stay."""
    retention_webhook_events_days: float = 90.0
    """Processed Stripe webhook events (Stripe itself keeps 30 days of events)."""
    extra_metrics: str = ""
    """Platform metrics known beyond the contract's, space-separated (a metric a service started
    emitting before the contract release reached billing); events parked for it can then be replayed."""

    def metric_catalogue(self) -> MetricCatalogue:
        return MetricCatalogue(METRICS | frozenset(self.extra_metrics.split()))

    reconciliation_heartbeat_timeout_seconds: int = 300
    """A running reconciliation run whose heartbeat is older than this is failed (its worker is gone)."""
    reconciliation_approval_threshold_minor: int = 10_000
    """An adjustment above this (absolute, minor units) waits for an operator's approval; smaller ones apply."""


def billing_settings() -> BillingSettings:
    return load_settings(BillingSettings, "billing")

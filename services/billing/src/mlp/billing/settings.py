"""billing's settings, read from ``BILLING_*`` (then unprefixed) environment variables."""

from __future__ import annotations

from mlp.common.runtime.settings import ServiceSettings, load_settings


class BillingSettings(ServiceSettings, frozen=True, kw_only=True):
    port: int = 8004


def billing_settings() -> BillingSettings:
    return load_settings(BillingSettings, "billing")

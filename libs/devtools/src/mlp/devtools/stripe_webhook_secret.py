"""``make run``'s Stripe webhook signing secret, so ``stripe listen --forward-to`` reaches billing.

The Stripe CLI signs what it forwards with a secret of its own (``stripe listen --print-secret``):
set ``BILLING_STRIPE_WEBHOOK_SECRET`` to it before ``make run``. Without it, a development secret
is made once and kept in the data directory, so signed test deliveries work across restarts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_ENV = "BILLING_STRIPE_WEBHOOK_SECRET"
WEBHOOK_PATH = "/v1/stripe/webhook"


def webhook_secret(data_dir: Path) -> str:
    configured = os.environ.get(SECRET_ENV)
    if configured:
        return configured
    saved = data_dir / "stripe-webhook-secret"
    if not saved.exists():
        saved.write_text("whsec_dev_" + secrets.token_hex(24))
        saved.chmod(0o600)
    return saved.read_text().strip()


def banner_line(billing_url: str, secret: str) -> str:
    forward_to = billing_url.removeprefix("http://") + WEBHOOK_PATH
    return (
        f"  stripe      webhooks {billing_url}{WEBHOOK_PATH}   signing secret {secret}\n"
        f"              (stripe listen --forward-to {forward_to}; to use the CLI's own secret,"
        f" set {SECRET_ENV} to what stripe listen --print-secret shows)"
    )

"""billing's worker: ``mlp worker billing`` consumes the ``billing`` queue.

The shared worker (:mod:`mlp.common.runtime.worker`) relays the outbox (audit events to
identity, usage events to billing) with retries and heartbeats; billing adds its own jobs:
meter events pushed to Stripe, budget checks, alert webhooks, Stripe webhook processing and
reconciliation runs (:mod:`mlp.billing.application.job_handlers`).
"""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import httpx
import structlog

from mlp.billing.adapters.db.retention import billing_retention
from mlp.billing.adapters.db.tables import SCHEMA
from mlp.billing.adapters.http.alert_webhooks import HttpAlertWebhooks
from mlp.billing.adapters.http.identity_emails import identity_emails
from mlp.billing.adapters.outbox import billing_outbox
from mlp.billing.adapters.stripe.gateway import StripeSdkGateway
from mlp.billing.application.clock import SystemClock
from mlp.billing.application.job_handlers import job_handlers
from mlp.billing.application.jobs import PUSH_METER_EVENTS, RUN_RECONCILIATION
from mlp.billing.settings import BillingSettings, billing_settings
from mlp.billing.wiring import use_cases
from mlp.common.egress.guard import egress_guard
from mlp.common.runtime.database import create_engine
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.worker import Entrypoint, run_service_worker

STRIPE_JOBS = (PUSH_METER_EVENTS, RUN_RECONCILIATION)
_log = structlog.get_logger("billing.worker")


async def run_worker(settings: BillingSettings) -> None:
    engine = create_engine(settings.database_url, pool_size=settings.worker_db_pool_size)
    try:
        webhooks = HttpAlertWebhooks(egress_guard(settings), settings.alert_webhook_timeout_seconds)
        async with httpx.AsyncClient(timeout=settings.http_timeout_seconds) as http, aclosing(webhooks):
            stripe = StripeSdkGateway(settings.stripe_api_key, settings.stripe_api_base)
            emails = identity_emails(http, settings.identity_url, settings.service_credential)
            cases = use_cases(engine, settings, billing_outbox, stripe, webhooks, SystemClock(), emails)
            handlers = job_handlers(cases.meter_pusher, cases.budgets, cases.stripe_webhooks, cases.reconciliation)
            if not settings.stripe_api_key:
                # without Stripe, its jobs wait in the queue for a worker that has a key
                for needs_stripe in STRIPE_JOBS:
                    handlers.pop(needs_stripe)
                _log.warning("no BILLING_STRIPE_API_KEY: meter pushes and reconciliation runs wait")
            await run_service_worker(
                settings,
                "billing",
                SCHEMA,
                entrypoints={name: Entrypoint(h) for name, h in handlers.items()},
                retention=billing_retention(settings),
            )
    finally:
        await engine.dispose()


def main() -> None:
    settings = billing_settings()
    configure_logging("billing", settings.log_level)
    asyncio.run(run_worker(settings))


if __name__ == "__main__":
    main()

"""billing's composition root: ``create_app`` wires settings, adapters and controllers.

Stripe, the outbox, the clock, users' emails and (in tests) the credential resolver come in through ports;
everything that needs the database is built in the lifespan, once ``app.state.engine`` exists.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager

import httpx
from litestar import Litestar

from mlp.billing.adapters.db.tables import SCHEMA, received_events
from mlp.billing.adapters.db.transaction import OutboxFactory
from mlp.billing.adapters.db.user_purge import user_purge
from mlp.billing.adapters.http.alert_webhooks import HttpAlertWebhooks
from mlp.billing.adapters.http.identity_emails import identity_emails
from mlp.billing.adapters.outbox import billing_outbox
from mlp.billing.adapters.stripe.gateway import StripeSdkGateway
from mlp.billing.adapters.stripe.signatures import StripeSignatureVerifier
from mlp.billing.api.routes import ROUTES
from mlp.billing.application.clock import SystemClock
from mlp.billing.application.ports import Clock, StripeGateway, UserEmails
from mlp.billing.domain.errors import Conflict, InvalidInput, NotFound
from mlp.billing.settings import BillingSettings, billing_settings
from mlp.billing.wiring import USE_CASE_NAMES, use_cases
from mlp.common.auth.resolver import CredentialResolver
from mlp.common.auth.whoami import whoami
from mlp.common.auth.wiring import identity_auth_lifespan
from mlp.common.egress.guard import egress_guard
from mlp.common.runtime.inbox import user_deleted_receiver
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.problems import domain_error_handler
from mlp.common.runtime.service_app import Lifespan, build_service_app, state_dependencies


def create_app(
    settings: BillingSettings | None = None,
    *,
    outbox: OutboxFactory | None = None,
    stripe: StripeGateway | None = None,
    clock: Clock | None = None,
    resolver: CredentialResolver | None = None,
    emails: UserEmails | None = None,
) -> Litestar:
    settings = settings or billing_settings()
    configure_logging("billing", settings.log_level)
    gateway = stripe or StripeSdkGateway(settings.stripe_api_key, settings.stripe_api_base)
    jobs: OutboxFactory = outbox or billing_outbox

    @asynccontextmanager
    async def wire(app: Litestar) -> AsyncIterator[None]:
        if resolver is not None:
            app.state.resolver = resolver
        webhooks = HttpAlertWebhooks(egress_guard(settings), settings.alert_webhook_timeout_seconds)
        async with httpx.AsyncClient(timeout=settings.http_timeout_seconds) as http, aclosing(webhooks):
            emails_of = emails or identity_emails(http, settings.identity_url, settings.service_credential)
            cases = use_cases(app.state.engine, settings, jobs, gateway, webhooks, clock or SystemClock(), emails_of)
            app.state.update({name: getattr(cases, name) for name in USE_CASE_NAMES} | {"use_cases": cases})
            app.state.stripe_signatures = StripeSignatureVerifier(
                settings.stripe_webhook_secret, settings.stripe_webhook_tolerance_seconds
            )
            yield

    lifespans: list[Lifespan] = [wire] if resolver is not None else [identity_auth_lifespan(settings), wire]
    return build_service_app(
        name="billing",
        package="mlp.billing",
        schema=SCHEMA,
        database_url=settings.database_url,
        db_pool_size=settings.db_pool_size,
        otlp_endpoint=settings.otlp_endpoint,
        route_handlers=[
            *ROUTES,
            whoami,
            user_deleted_receiver("billing", received_events, on_user_deleted=user_purge(jobs)),
        ],
        lifespans=lifespans,
        dependencies=state_dependencies(*USE_CASE_NAMES),
        exception_handlers_extra={
            InvalidInput: domain_error_handler(422),
            NotFound: domain_error_handler(404),
            Conflict: domain_error_handler(409),
        },
    )

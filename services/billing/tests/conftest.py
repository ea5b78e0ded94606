"""billing's tests: the real app (in process) on real PostgreSQL; platform tokens signed by a test key
and checked by the real verifier; Stripe and the outbox at their ports (``fakes.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from billing_fakes import FakeEmails, FakeStripe, FixedClock, RecordingWebhooks
from billing_harness import WEBHOOK_SECRET, Billing, StaticKeys, Tokens
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar.testing import AsyncTestClient

from mlp.billing.adapters.outbox import billing_outbox
from mlp.billing.app import create_app
from mlp.billing.settings import BillingSettings
from mlp.billing.wiring import use_cases
from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.resolver import ServiceCredentialResolver
from mlp.common.runtime.database import create_engine


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def tokens(signing_key: rsa.RSAPrivateKey) -> Tokens:
    return Tokens(signing_key)


@pytest.fixture(scope="session")
def billing_settings(database_url: str) -> BillingSettings:
    return BillingSettings(database_url=database_url, stripe_webhook_secret=WEBHOOK_SECRET, log_level="WARNING")


@pytest.fixture
async def billing(billing_settings: BillingSettings, signing_key: rsa.RSAPrivateKey) -> AsyncIterator[Billing]:
    stripe, clock, webhooks, emails = FakeStripe(), FixedClock(), RecordingWebhooks(), FakeEmails()
    resolver = ServiceCredentialResolver(PlatformTokenVerifier(StaticKeys(signing_key)), None)
    app = create_app(billing_settings, stripe=stripe, clock=clock, resolver=resolver, emails=emails)
    engine = create_engine(billing_settings.database_url, pool_size=4)
    worker = use_cases(engine, billing_settings, billing_outbox, stripe, webhooks, clock, emails)
    try:
        async with AsyncTestClient(app=app) as client:
            yield Billing(client, worker, engine, stripe, clock, webhooks, emails)
    finally:
        await engine.dispose()

"""billing's tests: the real app (in process) on real PostgreSQL; platform tokens signed by a test key
and checked by the real verifier; Stripe and the outbox at their ports (``fakes.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from billing_fakes import FakeStripe
from billing_harness import WEBHOOK_SECRET, Billing, Tokens, billing_app
from cryptography.hazmat.primitives.asymmetric import rsa

from mlp.billing.settings import BillingSettings
from mlp.devtools.databases import migrated_database


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
    async with billing_app(billing_settings, signing_key, FakeStripe()) as app:
        yield app


@pytest.fixture
def own_database(pg_server_url: str) -> Iterator[str]:
    """A database of the test's own (billing migrated), for what looks at every user of a period."""
    with migrated_database(pg_server_url, "billing_own", ("billing",)) as url:
        yield url

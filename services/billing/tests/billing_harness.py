"""What billing's tests share: platform tokens signed by a test key, and the app under test with its fakes."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import jwt
from billing_fakes import FakeEmails, FixedClock, RecordingWebhooks
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.billing.adapters.outbox import billing_outbox
from mlp.billing.app import create_app
from mlp.billing.application.job_handlers import job_handlers
from mlp.billing.application.ports import StripeGateway
from mlp.billing.settings import BillingSettings
from mlp.billing.wiring import UseCases, use_cases
from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.resolver import ServiceCredentialResolver
from mlp.common.contracts.audit import OperationEventBatch
from mlp.common.runtime.database import create_engine
from mlp.common.runtime.outbox import AUDIT_ENTRYPOINT

KID = "billing-test"
WEBHOOK_SECRET = "whsec_test_secret"


class StaticKeys:
    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        self._key = jwt.PyJWK.from_dict({**jwk, "kid": KID, "alg": "RS256"})

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        return self._key if kid == KID else None


class Tokens:
    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        self._key = key

    def _sign(self, subject: str, scopes: str) -> dict[str, str]:
        now = int(time.time())
        claims = {"sub": subject, "scope": scopes, "iss": "mlp-identity", "aud": "mlp", "iat": now, "exp": now + 600}
        return {"authorization": "Bearer " + jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": KID})}

    def user(self, user_id: uuid.UUID, scopes: str = "billing:read billing:write usage:write") -> dict[str, str]:
        return self._sign(str(user_id), scopes)

    def service(self, name: str = "registry") -> dict[str, str]:
        return self._sign(f"service:{name}", "internal")


class Billing:
    """The app under test with its fakes; jobs are real (the outbox's queue) and run in process on demand."""

    def __init__(
        self,
        client: AsyncTestClient[Litestar],
        worker: UseCases,
        engine: AsyncEngine,
        stripe: Any,
        clock: FixedClock,
        webhooks: RecordingWebhooks,
        emails: FakeEmails,
    ) -> None:
        self.client = client
        self.cases = worker
        """The worker's use cases (the app runs in the test client's own event loop)."""
        self.engine = engine
        self.stripe = stripe
        """A FakeStripe, or a StripeSdkGateway on the stand-in (``conftest.billing_app``)."""
        self.clock = clock
        self.webhooks = webhooks
        self.emails = emails

    async def take_jobs(self, entrypoint: str) -> list[bytes]:
        """Take the queued jobs of ``entrypoint`` off the queue (as a worker would), oldest first."""
        async with self.engine.begin() as conn:
            rows = await conn.exec_driver_sql(
                "DELETE FROM billing.pgqueuer WHERE entrypoint = $1 AND status = 'queued' RETURNING id, payload",
                (entrypoint,),
            )
            return [bytes(r.payload) for r in sorted(rows, key=lambda r: r.id)]

    async def run_jobs(self, entrypoint: str) -> int:
        """Run the queued jobs of ``entrypoint`` with the worker's handlers; how many ran."""
        cases = self.cases
        handler = job_handlers(cases.meter_pusher, cases.budgets, cases.stripe_webhooks, cases.reconciliation)[
            entrypoint
        ]
        payloads = await self.take_jobs(entrypoint)
        for payload in payloads:
            await handler(payload)
        return len(payloads)

    async def audit_actions(self) -> list[str]:
        """The actions of the audit events queued for identity (taken off the queue)."""
        import msgspec

        batches = [msgspec.json.decode(p, type=OperationEventBatch) for p in await self.take_jobs(AUDIT_ENTRYPOINT)]
        return [e.action for b in batches for e in b.events]


@asynccontextmanager
async def billing_app(
    settings: BillingSettings, signing_key: rsa.RSAPrivateKey, stripe: StripeGateway
) -> AsyncIterator[Billing]:
    """The app in process and the worker's use cases, with ``stripe`` at the Stripe port."""
    clock, webhooks, emails = FixedClock(), RecordingWebhooks(), FakeEmails()
    resolver = ServiceCredentialResolver(PlatformTokenVerifier(StaticKeys(signing_key)), None)
    app = create_app(settings, stripe=stripe, clock=clock, resolver=resolver, emails=emails)
    engine = create_engine(settings.database_url, pool_size=4)
    worker = use_cases(engine, settings, billing_outbox, stripe, webhooks, clock, emails)
    try:
        async with AsyncTestClient(app=app) as client:
            yield Billing(client, worker, engine, stripe, clock, webhooks, emails)
    finally:
        await engine.dispose()

"""What billing's tests share: platform tokens signed by a test key, and the app under test with its fakes."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fakes import FakeStripe, FixedClock, JobLog
from jwt.algorithms import RSAAlgorithm
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.billing.wiring import UseCases

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
    """The app under test with its fakes, so tests can run the worker's use cases too."""

    def __init__(self, client: AsyncTestClient[Litestar], jobs: JobLog, stripe: FakeStripe, clock: FixedClock) -> None:
        self.client = client
        self.jobs = jobs
        self.stripe = stripe
        self.clock = clock

    @property
    def cases(self) -> UseCases:
        cases: UseCases = self.client.app.state.use_cases
        return cases

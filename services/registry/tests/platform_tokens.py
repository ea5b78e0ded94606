"""Platform tokens for in-process tests: RS256 JWTs with a test key, verified by the real verifier."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from mlp.common.auth.platform_claims import PLATFORM_AUDIENCE, PLATFORM_ISSUER
from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.resolver import ServiceCredentialResolver

KID = "registry-test-1"


class SigningKeys:
    """The KeySource port holding one test key; ``resolver()`` is what the app's auth middleware uses."""

    def __init__(self) -> None:
        self._private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self._private.public_key(), as_dict=True)
        self._public = jwt.PyJWK.from_dict({**jwk, "kid": KID, "alg": "RS256"})

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        return self._public if kid == KID else None

    def resolver(self) -> ServiceCredentialResolver:
        return ServiceCredentialResolver(PlatformTokenVerifier(self), None)

    def token(self, user_id: uuid.UUID, scopes: str = "models:read models:write", **claims: Any) -> str:
        now = int(time.time())
        payload = {"sub": str(user_id), "scope": scopes, "iss": PLATFORM_ISSUER, "aud": PLATFORM_AUDIENCE}
        return jwt.encode({**payload, "iat": now, "exp": now + 600, **claims}, self._private, "RS256", {"kid": KID})

    def service_token(self, service: str) -> str:
        return self.token(uuid.uuid4(), "internal", sub=f"service:{service}")

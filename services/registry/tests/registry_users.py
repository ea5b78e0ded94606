"""Test callers of registry: platform tokens signed by a test key that the app trusts."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KID = "registry-test"


class SigningKeys:
    def __init__(self) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public: dict[str, Any] = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        self.jwk = jwt.PyJWK.from_dict({**public, "kid": KID, "alg": "RS256"})

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        return self.jwk if kid == KID else None

    def token(self, subject: str, scopes: str) -> str:
        now = int(time.time())
        claims = {"sub": subject, "scope": scopes, "iss": "mlp-identity", "aud": "mlp", "iat": now, "exp": now + 3600}
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": KID})


class User:
    def __init__(self, keys: SigningKeys, scopes: str = "datasets:*") -> None:
        self.id = uuid.uuid4()
        self.headers = {"authorization": f"Bearer {keys.token(str(self.id), scopes)}"}

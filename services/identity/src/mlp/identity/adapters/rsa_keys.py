"""RS256 keys and JWT signing with PyJWT and cryptography."""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from mlp.common.auth.platform_claims import PLATFORM_ALGORITHM
from mlp.identity.domain.signing_keys import SigningKey

KID_PREFIX = "mlp-"


class RsaKeyFactory:
    def __init__(self, key_size: int = 2048) -> None:
        self._key_size = key_size

    def new_key(self, now: datetime) -> SigningKey:
        private = rsa.generate_private_key(public_exponent=65537, key_size=self._key_size)
        kid = f"{KID_PREFIX}{now:%Y%m%d}-{secrets.token_hex(4)}"
        public_jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
        public_jwk.update({"kid": kid, "use": "sig", "alg": PLATFORM_ALGORITHM})
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return SigningKey(kid=kid, private_key_pem=pem, public_jwk=public_jwk, created_at=now)


class RsaTokenSigner:
    """Signs with the PEM of a key; parsed private keys are cached by kid (parsing is slow)."""

    def __init__(self) -> None:
        self._parsed: dict[str, rsa.RSAPrivateKey] = {}

    def sign(self, claims: dict[str, Any], key: SigningKey) -> str:
        private = self._parsed.get(key.kid)
        if private is None:
            loaded = serialization.load_pem_private_key(key.private_key_pem.encode(), None)
            if not isinstance(loaded, rsa.RSAPrivateKey):
                raise TypeError(f"signing key {key.kid} is not an RSA key")
            private = self._parsed[key.kid] = loaded
        return jwt.encode(claims, private, algorithm=PLATFORM_ALGORITHM, headers={"kid": key.kid})


class KeyRingKeySource:
    """Lets identity verify its own platform tokens in process, with no HTTP call to itself."""

    def __init__(self, published: Callable[[], Awaitable[list[SigningKey]]]) -> None:
        self._published = published

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        for key in await self._published():
            if key.kid == kid:
                return jwt.PyJWK.from_dict(key.public_jwk)
        return None

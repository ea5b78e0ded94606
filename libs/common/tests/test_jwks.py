"""The JWKS cache backs off while identity is down and drops keys it could not confirm for too long."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from mlp.common.auth.errors import AuthUnavailable
from mlp.common.auth.jwks import JwksCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Identity:
    def __init__(self) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        self.key_set = {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}
        self.up = True
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return httpx.Response(200, json=self.key_set) if self.up else httpx.Response(503)


def cache_for(identity: Identity, clock: Clock) -> JwksCache:
    client = httpx.AsyncClient(transport=httpx.MockTransport(identity))
    return JwksCache(client, "http://identity/jwks", min_refresh_seconds=10, max_stale_seconds=3600, clock=clock)


async def test_attempts_back_off_while_identity_is_down() -> None:
    identity, clock = Identity(), Clock()
    identity.up = False
    cache = cache_for(identity, clock)
    for _ in range(5):
        with pytest.raises(AuthUnavailable):
            await cache.get_key("k1")
    assert identity.calls == 1
    clock.now += 10
    with pytest.raises(AuthUnavailable):
        await cache.get_key("k1")
    clock.now += 10  # the second failure doubled the wait to 20 s
    with pytest.raises(AuthUnavailable):
        await cache.get_key("k1")
    assert identity.calls == 2
    identity.up = True
    clock.now += 10
    assert isinstance(await cache.get_key("k1"), jwt.PyJWK)


async def test_keys_not_confirmed_for_too_long_are_dropped() -> None:
    identity, clock = Identity(), Clock()
    cache = cache_for(identity, clock)
    assert await cache.get_key("k1") is not None
    identity.up = False
    clock.now += 1800
    assert await cache.get_key("k1") is not None  # stale but still trusted
    clock.now += 1801
    with pytest.raises(AuthUnavailable):
        await cache.get_key("k1")

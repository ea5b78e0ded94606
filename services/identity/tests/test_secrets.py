"""Secrets: no development pepper or KEK outside development, pepper rotation without breaking
existing keys, signing keys encrypted at rest."""

from __future__ import annotations

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.common.runtime.database import plain_database_url
from mlp.identity.app import create_app
from mlp.identity.secret_material import DevelopmentSecretRefused, key_hasher
from mlp.identity.settings import IdentitySettings

PRODUCTION_KEK = "cHJvZHVjdGlvbi1rZWstb2YtMzItYnl0ZXMtZXhhY3Q="


@pytest.mark.parametrize(
    "overrides",
    [
        {"signing_key_kek": PRODUCTION_KEK},  # the development pepper
        {"api_key_pepper": "a-real-secret-pepper"},  # the development KEK
    ],
)
def test_production_refuses_the_development_secrets(overrides: dict[str, str]) -> None:
    with pytest.raises(DevelopmentSecretRefused):
        create_app(IdentitySettings(environment="production", **overrides))


def test_production_starts_with_its_own_secrets() -> None:
    settings = IdentitySettings(
        environment="production", api_key_pepper="a-real-pepper", signing_key_kek=PRODUCTION_KEK
    )
    assert isinstance(create_app(settings), Litestar)


def test_a_new_pepper_keeps_the_keys_made_with_the_old_one() -> None:
    before = key_hasher(IdentitySettings(environment="development", api_key_pepper="old-pepper", api_key_pepper_id=1))
    old_key = before.new_key()
    legacy_digest = old_key.digest[1:]  # as stored before digests carried an id: pepper 0
    after = key_hasher(
        IdentitySettings(
            environment="development",
            api_key_pepper="new-pepper",
            api_key_pepper_id=2,
            api_key_previous_peppers="1=old-pepper,0=old-pepper",
        )
    )
    new_key = after.new_key()
    assert old_key.digest[0] == 1
    assert new_key.digest[0] == 2
    assert after.verify(old_key.digest, old_key.plaintext)
    assert after.verify(legacy_digest, old_key.plaintext)
    assert after.verify(new_key.digest, new_key.plaintext)
    assert not after.verify(old_key.digest, new_key.plaintext)
    assert not before.verify(new_key.digest, new_key.plaintext)  # a replica without the new pepper


async def test_signing_keys_are_encrypted_at_rest(client: AsyncTestClient[Litestar], database_url: str) -> None:
    assert (await client.get("/.well-known/jwks.json")).status_code == 200
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        stored = await conn.fetch("SELECT private_key_pem FROM identity.signing_keys WHERE retired_at IS NULL")
    finally:
        await conn.close()
    assert stored
    assert all(row["private_key_pem"].startswith("fernet:") for row in stored)
    assert not any("PRIVATE KEY" in row["private_key_pem"] for row in stored)

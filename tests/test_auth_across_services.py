"""The auth path end to end, across real server processes.

identity mints a platform token (internal endpoint, service credential); the other services
verify it locally against identity's JWKS and answer with the caller's user_id. Tokens that
are missing, forged, expired, for another audience or unsigned are refused with 401 problems.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from mlp.common.runtime.database import plain_database_url
from mlp.identity.secret_material import key_sealer
from mlp.identity.settings import IdentitySettings

USER = uuid.uuid4()


@pytest.fixture
def known_user(identity_user: uuid.UUID) -> uuid.UUID:
    """A user identity knows (delegated tokens are only minted for existing users)."""
    return identity_user


@pytest.fixture
def minted_token(platform: dict[str, str], platform_env_vars: dict[str, str], known_user: uuid.UUID) -> str:
    response = httpx.post(
        f"{platform['identity']}/internal/v1/tokens",
        json={"user_id": str(known_user), "scopes": ["models:read"], "caller_scopes": ["*"]},
        headers={"authorization": f"Bearer {platform_env_vars['REGISTRY_SERVICE_CREDENTIAL']}"},
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


@pytest.fixture
async def identity_signing_key(minted_token: str, database_url: str) -> tuple[str, str]:
    """identity's current (kid, private PEM), read from its table to forge near-valid tokens."""
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        row = await conn.fetchrow(
            "SELECT kid, private_key_pem FROM identity.signing_keys WHERE retired_at IS NULL "
            "ORDER BY created_at DESC LIMIT 1"
        )
    finally:
        await conn.close()
    assert row is not None
    return row["kid"], key_sealer(IdentitySettings(environment="development")).open(row["private_key_pem"])


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": str(USER),
        "scope": "",
        "iss": "mlp-identity",
        "aud": "mlp",
        "iat": now,
        "exp": now + 60,
        **overrides,
    }


@pytest.mark.parametrize("service", ["registry", "evaluation", "billing", "identity"])
def test_each_service_answers_with_the_callers_user_id(
    platform: dict[str, str], minted_token: str, known_user: uuid.UUID, service: str
) -> None:
    response = httpx.get(f"{platform[service]}/v1/whoami", headers={"authorization": f"Bearer {minted_token}"})
    assert response.status_code == 200, response.text
    assert response.json()["user_id"] == str(known_user)
    assert response.json()["scopes"] == ["models:read"]


def test_no_token_is_401_problem(platform: dict[str, str]) -> None:
    response = httpx.get(f"{platform['registry']}/v1/whoami")
    assert_unauthenticated(response, "missing")


def test_wrong_signature_is_401(platform: dict[str, str], identity_signing_key: tuple[str, str]) -> None:
    kid, _ = identity_signing_key
    intruder = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims(), intruder, algorithm="RS256", headers={"kid": kid})
    assert_unauthenticated(call_registry(platform, forged), "Signature")


def test_expired_token_is_401(platform: dict[str, str], identity_signing_key: tuple[str, str]) -> None:
    kid, pem = identity_signing_key
    expired = jwt.encode(claims(exp=int(time.time()) - 120), pem, algorithm="RS256", headers={"kid": kid})
    assert_unauthenticated(call_registry(platform, expired), "expired")


def test_wrong_audience_is_401(platform: dict[str, str], identity_signing_key: tuple[str, str]) -> None:
    kid, pem = identity_signing_key
    other = jwt.encode(claims(aud="another-platform"), pem, algorithm="RS256", headers={"kid": kid})
    assert_unauthenticated(call_registry(platform, other), "not meant")


def test_alg_none_is_401(platform: dict[str, str], identity_signing_key: tuple[str, str]) -> None:
    kid, _ = identity_signing_key
    unsigned = jwt.encode(claims(), None, algorithm="none", headers={"kid": kid})
    assert_unauthenticated(call_registry(platform, unsigned), "algorithm")


def test_service_credential_cannot_be_used_on_other_services(
    platform: dict[str, str], platform_env_vars: dict[str, str]
) -> None:
    credential = platform_env_vars["BILLING_SERVICE_CREDENTIAL"]
    response = httpx.get(f"{platform['registry']}/v1/whoami", headers={"authorization": f"Bearer {credential}"})
    assert response.status_code == 401


def call_registry(platform: dict[str, str], token: str) -> httpx.Response:
    return httpx.get(f"{platform['registry']}/v1/whoami", headers={"authorization": f"Bearer {token}"})


def assert_unauthenticated(response: httpx.Response, detail_contains: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 401
    assert body["type"].startswith("urn:mlp:problem:")
    assert detail_contains in body["detail"]

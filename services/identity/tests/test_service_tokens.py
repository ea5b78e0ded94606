"""POST /internal/v1/tokens: only a service's raw credential mints, within its allow-list and the
scopes of the caller it acts for, for an existing user; a delegated token says so and cannot act
as the user's own session."""

from __future__ import annotations

import uuid
from typing import Any

import jwt
from conftest import SERVICE_CREDENTIAL, SignedInUser
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]
RAW_CREDENTIAL = {"authorization": f"Bearer {SERVICE_CREDENTIAL}"}
AS_SESSION = {"scopes": ["models:read"], "caller_scopes": ["*"]}
"""A delegation of models:read for a signed-in user (whose session holds every scope)."""


async def mint(client: Client, body: dict[str, Any], headers: dict[str, str] = RAW_CREDENTIAL) -> Any:
    return await client.post("/internal/v1/tokens", json=body, headers=headers)


async def test_a_delegated_token_names_its_service_and_is_no_session(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    minted = await mint(client, {"user_id": me.user_id, **AS_SESSION})
    assert minted.status_code == 201, minted.text
    token = minted.json()["token"]
    assert jwt.decode(token, options={"verify_signature": False})["act"] == {"sub": "service:registry"}
    delegated = {"authorization": f"Bearer {token}"}
    whoami = await client.get("/v1/whoami", headers=delegated)
    assert whoami.json()["actor"] == "registry"
    for method, path in [("POST", "/v1/api-keys"), ("GET", "/v1/sessions"), ("PATCH", "/v1/me"), ("DELETE", "/v1/me")]:
        body = {"name": "x", "scopes": ["inference"]} if method == "POST" else ({} if method == "PATCH" else None)
        response = await client.request(method, path, json=body, headers=delegated)
        assert response.status_code == 403, (method, path)


async def test_a_token_cannot_mint(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    service_token = (await mint(client, {"service": "registry"})).json()["token"]
    again = await mint(client, {"user_id": me.user_id, **AS_SESSION}, {"authorization": f"Bearer {service_token}"})
    assert again.status_code == 403
    assert (await mint(client, {"service": "registry", "scopes": ["tokens:mint"]})).status_code == 422


async def test_scopes_outside_the_allow_list_are_refused(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    for scopes in (["*"], ["audit:read"], ["profile:read"], ["billing:read"]):
        refused = await mint(client, {"user_id": me.user_id, "scopes": scopes, "caller_scopes": ["*"]})
        assert refused.status_code == 403, scopes


async def test_only_existing_active_users(client: Client, sign_in: Any) -> None:
    assert (await mint(client, {"user_id": str(uuid.uuid4()), **AS_SESSION})).status_code == 404
    me: SignedInUser = await sign_in()
    assert (await client.delete("/v1/me", headers=me.headers)).status_code == 204
    assert (await mint(client, {"user_id": me.user_id, **AS_SESSION})).status_code == 404


def token_scopes(minted: Any) -> str:
    assert minted.status_code == 201, minted.text
    scope: str = jwt.decode(minted.json()["token"], options={"verify_signature": False})["scope"]
    return scope


async def test_a_delegated_token_carries_at_most_the_callers_scopes(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    wanted = ["models:read", "datasets:read", "inference"]
    narrow = await mint(client, {"user_id": me.user_id, "scopes": wanted, "caller_scopes": ["evals:*", "datasets:*"]})
    assert token_scopes(narrow) == "datasets:read"
    session = await mint(client, {"user_id": me.user_id, "scopes": wanted, "caller_scopes": ["*"]})
    assert token_scopes(session) == "models:read datasets:read inference"
    for caller in (["evals:*", "evals:read", "evals:write"], [], ["datasets:read"]):
        wider = await mint(client, {"user_id": me.user_id, "scopes": ["datasets:*"], "caller_scopes": caller})
        assert wider.status_code == 403, caller  # datasets:read does not cover datasets:*
    unnamed = await mint(client, {"user_id": me.user_id, "scopes": ["models:read"]})
    assert unnamed.status_code == 422
    assert unnamed.json()["field"] == "caller_scopes"

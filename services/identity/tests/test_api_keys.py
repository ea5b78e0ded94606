"""API keys: the secret once, management scoped to the owner, rotation with a grace period."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import SERVICE_CREDENTIAL, SignedInUser
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.common.contracts.auth import SERVICE_CREDENTIAL_HEADER

Client = AsyncTestClient[Litestar]
KEY_FORMAT = re.compile(r"^mlp_live_[a-z0-9]{12}_[A-Za-z0-9]{40}$")


async def create_key(client: Client, owner: SignedInUser, **fields: Any) -> dict[str, Any]:
    body = {"name": "ci", "scopes": ["models:read", "inference"], **fields}
    response = await client.post("/v1/api-keys", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def bearer(secret: str) -> dict[str, str]:
    return {"authorization": f"Bearer {secret}"}


async def test_secret_is_shown_once_and_never_listed(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    created = await create_key(client, me, requests_per_minute=100)
    secret = created["secret"]
    assert KEY_FORMAT.match(secret)
    assert secret.startswith(created["key"]["prefix"] + "_")
    listed = await client.get("/v1/api-keys", headers=me.headers)
    assert secret not in listed.text
    [item] = listed.json()["items"]
    assert item["scopes"] == ["models:read", "inference"]
    assert item["quota_use"][0]["window"] == "minute"
    fetched = await client.get(f"/v1/api-keys/{item['id']}", headers=me.headers)
    assert secret not in fetched.text


async def test_key_verifies_with_its_scopes(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    created = await create_key(client, me)
    as_gateway = {SERVICE_CREDENTIAL_HEADER: SERVICE_CREDENTIAL}
    verified = await client.post("/v1/auth/verify", headers={**bearer(created["secret"]), **as_gateway})
    assert verified.status_code == 200
    principal = verified.json()["principal"]
    assert principal["user_id"] == me.user_id
    assert principal["api_key_id"] == created["key"]["id"]
    assert principal["scopes"] == ["models:read", "inference"]
    assert verified.headers["x-platform-token"].count(".") == 2


async def test_keys_cannot_manage_keys(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    created = await create_key(client, me, scopes=["models:*", "audit:read"])
    response = await client.post(
        "/v1/api-keys", json={"name": "x", "scopes": ["inference"]}, headers=bearer(created["secret"])
    )
    assert response.status_code == 403


async def test_another_users_key_is_not_found(client: Client, sign_in: Any) -> None:
    alice: SignedInUser = await sign_in()
    mallory: SignedInUser = await sign_in()
    key_id = (await create_key(client, alice))["key"]["id"]
    for method, path in [("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/rotate")]:
        body = {"name": "stolen"} if method == "PATCH" else ({} if method == "POST" else None)
        response = await client.request(method, f"/v1/api-keys/{key_id}{path}", json=body, headers=mallory.headers)
        assert response.status_code == 404, (method, path, response.text)
    assert (await client.get(f"/v1/api-keys/{key_id}", headers=alice.headers)).json()["name"] == "ci"


async def test_rename_and_revoke(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    created = await create_key(client, me)
    key_id = created["key"]["id"]
    renamed = await client.patch(f"/v1/api-keys/{key_id}", json={"name": "  nightly  "}, headers=me.headers)
    assert renamed.json()["name"] == "nightly"
    assert renamed.json()["quota_use"] == []  # no quotas, nothing counted
    assert (await client.delete(f"/v1/api-keys/{key_id}", headers=me.headers)).status_code == 204
    refused = await client.post("/v1/auth/verify", headers=bearer(created["secret"]))
    assert refused.status_code == 401
    assert (await client.delete(f"/v1/api-keys/{key_id}", headers=me.headers)).status_code == 404


async def test_rotation_keeps_the_old_secret_until_the_grace_deadline(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    created = await create_key(client, me)
    key_id, old = created["key"]["id"], created["secret"]
    rotated = await client.post(f"/v1/api-keys/{key_id}/rotate", json={"grace_seconds": 2}, headers=me.headers)
    new = rotated.json()["secret"]
    assert new != old
    assert rotated.json()["key"]["prefix"] == created["key"]["prefix"]
    assert (await client.post("/v1/auth/verify", headers=bearer(old))).status_code == 200
    assert (await client.post("/v1/auth/verify", headers=bearer(new))).status_code == 200
    await asyncio.sleep(2.2)
    assert (await client.post("/v1/auth/verify", headers=bearer(old))).status_code == 401
    assert (await client.post("/v1/auth/verify", headers=bearer(new))).status_code == 200


async def test_rotation_without_grace_stops_the_old_secret_at_once(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    created = await create_key(client, me)
    await client.post(f"/v1/api-keys/{created['key']['id']}/rotate", json={}, headers=me.headers)
    assert (await client.post("/v1/auth/verify", headers=bearer(created["secret"]))).status_code == 401


async def test_an_expired_key_is_refused(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    soon = (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat()
    created = await create_key(client, me, expires_at=soon)
    assert (await client.post("/v1/auth/verify", headers=bearer(created["secret"]))).status_code == 200
    await asyncio.sleep(1.7)
    assert (await client.post("/v1/auth/verify", headers=bearer(created["secret"]))).status_code == 401


def _in(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"scopes": ["models:read", "root"]}, "scopes"),
        ({"scopes": []}, "scopes"),
        ({"expires_at": _in(-1)}, "expires_at"),
        ({"expires_at": _in(5000)}, "expires_at"),
        ({"requests_per_minute": -5}, "requests_per_minute"),
        ({"requests_per_month": 10**12}, "requests_per_month"),
        ({"name": "n" * 101}, "name"),
        ({"name": "   "}, "name"),
        ({"owner": "someone-else"}, None),
    ],
    ids=["unknown-scope", "no-scope", "past-expiry", "absurd-expiry", "negative-quota", "absurd-quota",
         "long-name", "blank-name", "unknown-field"],
)  # fmt: skip
async def test_bad_requests_are_refused_and_change_nothing(
    client: Client, sign_in: Any, fields: dict[str, Any], field: str | None
) -> None:
    me: SignedInUser = await sign_in()
    body = {"name": "ci", "scopes": ["inference"], **fields}
    response = await client.post("/v1/api-keys", json=body, headers=me.headers)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    if field:
        assert response.json()["field"] == field
    assert (await client.get("/v1/api-keys", headers=me.headers)).json()["items"] == []


@pytest.mark.parametrize(
    "credential",
    ["mlp_live_short_x", "mlp_live_abcdefghijkl_" + "A" * 40, "mlp_" + "x" * 5000, "Basic dXNlcjpwYXNz"],
    ids=["malformed", "unknown", "oversized", "not-bearer"],
)
async def test_malformed_and_unknown_keys_are_401(client: Client, credential: str) -> None:
    header = credential if credential.startswith("Basic") else f"Bearer {credential}"
    response = await client.post("/v1/auth/verify", headers={"authorization": header})
    assert response.status_code == 401
    assert response.json()["status"] == 401


async def test_scope_catalogue_is_published(client: Client) -> None:
    catalogue = (await client.get("/v1/api-keys/scopes")).json()
    assert {"models:read", "datasets:*", "inference", "evals:*", "billing:read", "usage:write"} <= set(catalogue)

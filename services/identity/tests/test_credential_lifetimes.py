"""No credential outlives its key, its user or its quota (the observations of issue 6, one test each).

A client never receives a platform token minted for its API key, so every call it makes goes
through the key's quota; tokens minted for the gateway stop with their key, session or user.
"""

from __future__ import annotations

from typing import Any

from conftest import SERVICE_CREDENTIAL, SignedInUser
from fakes import FakeFirebase
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.common.contracts.auth import SERVICE_CREDENTIAL_HEADER

Client = AsyncTestClient[Litestar]
AS_GATEWAY = {SERVICE_CREDENTIAL_HEADER: SERVICE_CREDENTIAL}


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def new_key(client: Client, owner: SignedInUser, **fields: Any) -> str:
    body = {"name": "k", "scopes": ["models:read", "inference"], **fields}
    response = await client.post("/v1/api-keys", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["secret"])


async def gateway_token(client: Client, credential: str) -> str:
    """The platform token identity hands the gateway for a client's credential."""
    verified = await client.get("/v1/auth/verify", headers={**bearer(credential), **AS_GATEWAY})
    assert verified.status_code == 200, verified.text
    return str(verified.headers["x-platform-token"])


async def test_a_client_verifying_its_key_gets_no_platform_token(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    secret = await new_key(client, me, requests_per_minute=3)
    answers = [await client.get("/v1/auth/verify", headers=bearer(secret)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert all("x-platform-token" not in a.headers for a in answers)
    assert answers[0].json()["platform_token"] == ""


async def test_a_key_token_presented_by_a_client_to_verify_is_refused(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    token = await gateway_token(client, await new_key(client, me))
    refused = await client.get("/v1/auth/verify", headers=bearer(token))
    assert refused.status_code == 401
    assert (await client.get("/v1/auth/verify", headers={**bearer(token), **AS_GATEWAY})).status_code == 200


async def test_a_forged_service_credential_gets_no_token(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    secret = await new_key(client, me)
    forged = {SERVICE_CREDENTIAL_HEADER: "mlpsvc_registry_" + "x" * 32}
    answer = await client.get("/v1/auth/verify", headers={**bearer(secret), **forged})
    assert answer.status_code == 200
    assert "x-platform-token" not in answer.headers


async def test_tokens_of_a_revoked_key_stop_at_once(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    secret = await new_key(client, me)
    token = await gateway_token(client, secret)
    assert (await client.get("/v1/whoami", headers=bearer(token))).status_code == 200
    key_id = (await client.get("/v1/api-keys", headers=me.headers)).json()["items"][0]["id"]
    assert (await client.delete(f"/v1/api-keys/{key_id}", headers=me.headers)).status_code == 204
    assert (await client.get("/v1/whoami", headers=bearer(token))).status_code == 401
    status = await client.get("/v1/auth/verify", headers={**bearer(token), **AS_GATEWAY})
    assert status.status_code == 401
    assert status.json()["type"] == "urn:mlp:problem:credential-revoked"


async def test_an_inference_key_cannot_read_the_profile(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    inference_only = await new_key(client, me, scopes=["inference"])
    refused = await client.get("/v1/me", headers=bearer(inference_only))
    assert refused.status_code == 403
    assert me.uid not in refused.text
    profile_reader = await new_key(client, me, scopes=["profile:read"])
    profile = await client.get("/v1/me", headers=bearer(profile_reader))
    assert profile.status_code == 200
    assert "firebase_uid" not in profile.json()
    assert "deleted_at" not in profile.json()


async def test_after_deletion_the_firebase_token_is_refused_and_creates_no_key(
    client: Client, sign_in: Any, firebase: FakeFirebase
) -> None:
    me: SignedInUser = await sign_in()
    id_token = bearer(firebase.token_for(me.uid))
    assert (await client.get("/v1/auth/verify", headers=id_token)).status_code == 200
    minted = await gateway_token(client, firebase.token_for(me.uid))
    assert (await client.delete("/v1/me", headers=me.headers)).status_code == 204
    firebase.revoked.discard(me.uid)  # even while Firebase still accepts the token
    assert (await client.get("/v1/auth/verify", headers=id_token)).status_code == 401
    created = await client.post("/v1/api-keys", json={"name": "late", "scopes": ["inference"]}, headers=id_token)
    assert created.status_code == 401
    assert (await client.get("/v1/whoami", headers=bearer(minted))).status_code == 401


async def test_revoke_all_stops_the_firebase_token_and_what_was_minted_from_it(
    client: Client, sign_in: Any, firebase: FakeFirebase
) -> None:
    me: SignedInUser = await sign_in()
    id_token = firebase.token_for(me.uid)
    minted = await gateway_token(client, id_token)
    assert (await client.post("/v1/sessions/revoke-all", headers=me.headers)).status_code == 200
    firebase.revoked.discard(me.uid)  # even while Firebase still accepts the token
    assert (await client.get("/v1/auth/verify", headers=bearer(id_token))).status_code == 401
    assert (await client.get("/v1/whoami", headers=bearer(minted))).status_code == 401
    again = await client.post("/v1/auth/sign-in", json={"id_token": id_token})
    assert again.status_code == 401


async def test_a_service_preferring_a_minimal_answer_gets_no_platform_token(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    secret = await new_key(client, me)
    minimal = await client.get("/v1/auth/verify", headers={**bearer(secret), **AS_GATEWAY, "prefer": "return=minimal"})
    assert minimal.status_code == 200
    assert minimal.json()["principal"]["user_id"] == me.user_id
    assert "x-platform-token" not in minimal.headers
    assert minimal.json()["platform_token"] == ""

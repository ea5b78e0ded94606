"""Listing and revoking my sessions; another user's session is a 404."""

from __future__ import annotations

from typing import Any

from conftest import SignedInUser
from fakes import FakeFirebase
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]


async def test_revoking_one_session_stops_its_tokens_at_identity(client: Client, sign_in: Any) -> None:
    laptop: SignedInUser = await sign_in(user_agent="laptop")
    phone: SignedInUser = await sign_in(laptop.uid, user_agent="phone")
    revoked = await client.delete(f"/v1/sessions/{phone.body['session_id']}", headers=laptop.headers)
    assert revoked.status_code == 204
    assert (await client.get("/v1/me", headers=phone.headers)).status_code == 401
    verify = await client.post("/v1/auth/verify", headers=phone.headers)
    assert verify.json()["type"] == "urn:mlp:problem:credential-revoked"
    refresh = await client.post("/v1/auth/refresh", json={"refresh_token": phone.body["refresh_token"]})
    assert refresh.status_code == 401
    remaining = (await client.get("/v1/sessions", headers=laptop.headers)).json()
    assert [s["user_agent"] for s in remaining] == ["laptop"]


async def test_another_users_session_is_not_found(client: Client, sign_in: Any) -> None:
    alice: SignedInUser = await sign_in()
    mallory: SignedInUser = await sign_in()
    response = await client.delete(f"/v1/sessions/{alice.body['session_id']}", headers=mallory.headers)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get("/v1/me", headers=alice.headers)).status_code == 200


async def test_revoke_others_keeps_the_current_session(client: Client, sign_in: Any) -> None:
    first: SignedInUser = await sign_in()
    second: SignedInUser = await sign_in(first.uid)
    third: SignedInUser = await sign_in(first.uid)
    response = await client.post("/v1/sessions/revoke-others", headers=third.headers)
    assert response.json() == {"revoked": 2}
    assert (await client.get("/v1/me", headers=third.headers)).status_code == 200
    for other in (first, second):
        assert (await client.get("/v1/me", headers=other.headers)).status_code == 401


async def test_revoke_all_also_revokes_firebase_refresh_tokens(
    client: Client, sign_in: Any, firebase: FakeFirebase
) -> None:
    me: SignedInUser = await sign_in()
    response = await client.post("/v1/sessions/revoke-all", headers=me.headers)
    assert response.json() == {"revoked": 1}
    assert me.uid in firebase.revocations
    assert (await client.get("/v1/me", headers=me.headers)).status_code == 401
    again = await client.post("/v1/auth/sign-in", json={"id_token": firebase.token_for(me.uid)})
    assert again.status_code == 401  # Firebase now refuses the old ID token (check_revoked)


async def test_malformed_session_id_is_a_clear_400(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    response = await client.delete("/v1/sessions/not-a-uuid", headers=me.headers)
    assert response.status_code in (400, 404)
    assert response.headers["content-type"] == "application/problem+json"

"""Sign-in with a Firebase ID token, the profile, and refreshing a session."""

from __future__ import annotations

from typing import Any

from conftest import SignedInUser
from fakes import FakeFirebase
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]


async def test_first_sign_in_creates_the_user_and_a_session(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in(user_agent="Firefox/140")
    assert me.body["token_type"] == "Bearer"
    assert me.body["expires_in"] == 300
    profile = await client.get("/v1/me", headers=me.headers)
    assert profile.status_code == 200
    assert profile.json()["id"] == me.user_id
    assert profile.json()["email"] == f"{me.uid}@example.com"
    assert "firebase_uid" not in profile.json()
    sessions = (await client.get("/v1/sessions", headers=me.headers)).json()
    assert [(s["user_agent"], s["current"]) for s in sessions] == [("Firefox/140", True)]


async def test_second_sign_in_updates_the_same_user(client: Client, sign_in: Any, firebase: FakeFirebase) -> None:
    first: SignedInUser = await sign_in()
    identity = firebase.users[first.uid]
    firebase.users[first.uid] = type(identity)(uid=identity.uid, email="new@example.com", email_verified=True)
    second: SignedInUser = await sign_in(first.uid)
    assert second.user_id == first.user_id
    assert second.body["user"]["email"] == "new@example.com"
    assert second.body["session_id"] != first.body["session_id"]


async def test_id_token_in_authorization_header_works(client: Client, firebase: FakeFirebase) -> None:
    _, token = firebase.new_user()
    response = await client.post("/v1/auth/sign-in", json={}, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 201


async def test_revoked_disabled_and_forged_tokens_are_refused(client: Client, firebase: FakeFirebase) -> None:
    revoked, revoked_token = firebase.new_user()
    disabled, disabled_token = firebase.new_user()
    firebase.revoked.add(revoked)
    firebase.disabled.add(disabled)
    cases = {revoked_token: (401, "credential-revoked"), disabled_token: (403, "account-disabled")}
    cases["fake.nobody.sig"] = (401, "invalid-token")
    for token, (status, code) in cases.items():
        response = await client.post("/v1/auth/sign-in", json={"id_token": token})
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == f"urn:mlp:problem:{code}"


async def test_missing_token_is_401_and_oversized_is_400(client: Client) -> None:
    missing = await client.post("/v1/auth/sign-in", json={})
    assert missing.status_code == 401
    huge = await client.post("/v1/auth/sign-in", json={"id_token": "x" * 9000})
    assert huge.status_code == 400
    assert huge.json()["field"] == "id_token"


async def test_refresh_rotates_the_refresh_token(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    refreshed = await client.post("/v1/auth/refresh", json={"refresh_token": me.body["refresh_token"]})
    assert refreshed.status_code == 200
    assert refreshed.json()["session_id"] == me.body["session_id"]
    new_headers = {"authorization": f"Bearer {refreshed.json()['platform_token']}"}
    assert (await client.get("/v1/me", headers=new_headers)).status_code == 200
    reused = await client.post("/v1/auth/refresh", json={"refresh_token": me.body["refresh_token"]})
    assert reused.status_code == 401


async def test_profile_update_is_validated_and_kept_over_firebase(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    bad = await client.patch("/v1/me", json={"photo_url": "javascript:alert(1)"}, headers=me.headers)
    assert bad.status_code == 400
    assert bad.json()["field"] == "photo_url"
    unknown = await client.patch("/v1/me", json={"is_admin": True}, headers=me.headers)
    assert unknown.status_code == 400
    ok = await client.patch("/v1/me", json={"display_name": "Ada"}, headers=me.headers)
    assert ok.json()["display_name"] == "Ada"
    again: SignedInUser = await sign_in(me.uid)
    assert again.body["user"]["display_name"] == "Ada"


async def test_sign_in_is_in_the_audit_trail(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    events = (await client.get("/v1/audit-events", params={"action": "auth.sign_in"}, headers=me.headers)).json()
    assert [e["resource_id"] for e in events["items"]] == [me.body["session_id"]]


async def test_a_forged_forwarded_for_is_not_recorded(client: Client, firebase: FakeFirebase) -> None:
    _, token = firebase.new_user()
    headers = {"x-forwarded-for": "6.6.6.6"}
    signed_in = (await client.post("/v1/auth/sign-in", json={"id_token": token}, headers=headers)).json()
    me = {"authorization": f"Bearer {signed_in['platform_token']}"}
    [session] = (await client.get("/v1/sessions", headers=me)).json()
    assert session["ip_address"] != "6.6.6.6"


async def test_refused_sign_in_of_a_known_user_is_audited(client: Client, sign_in: Any, firebase: FakeFirebase) -> None:
    me: SignedInUser = await sign_in()
    firebase.disabled.add(me.uid)
    refused = await client.post("/v1/auth/sign-in", json={"id_token": firebase.token_for(me.uid)})
    assert refused.status_code == 403
    firebase.disabled.discard(me.uid)
    params = {"action": "auth.sign_in"}
    events = (await client.get("/v1/audit-events", params=params, headers=me.headers)).json()["items"]
    assert [(e["outcome"], e["details"].get("reason")) for e in events] == [
        ("failure", "account-disabled"),
        ("success", None),
    ]

"""Deleting my account: soft delete, every session and key revoked, user.deleted in the outbox."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
from conftest import SignedInUser
from fakes import FakeFirebase
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.common.runtime.database import plain_database_url

Client = AsyncTestClient[Litestar]


async def test_deleting_my_account_revokes_everything_and_announces_it(
    client: Client, sign_in: Any, firebase: FakeFirebase, database_url: str
) -> None:
    me: SignedInUser = await sign_in()
    other_device: SignedInUser = await sign_in(me.uid)
    created = await client.post("/v1/api-keys", json={"name": "k", "scopes": ["inference"]}, headers=me.headers)
    key = {"authorization": f"Bearer {created.json()['secret']}"}

    assert (await client.delete("/v1/me", headers=me.headers)).status_code == 204

    for headers in (me.headers, other_device.headers, key):
        assert (await client.post("/v1/auth/verify", headers=headers)).status_code == 401
    assert me.uid in firebase.revocations
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        deleted_at = await conn.fetchval("SELECT deleted_at FROM identity.users WHERE id = $1::uuid", me.user_id)
        payloads = await conn.fetch("SELECT payload FROM identity.pgqueuer WHERE payload IS NOT NULL")
    finally:
        await conn.close()
    assert deleted_at is not None
    announced = [msgspec.json.decode(p["payload"]) for p in payloads]
    mine = [a for a in announced if a["event"]["user_id"] == me.user_id]
    assert [a["service"] for a in mine] == ["testsink"]  # the subscribers this test app was given


async def test_a_deleted_account_cannot_sign_in_again(client: Client, sign_in: Any, firebase: FakeFirebase) -> None:
    me: SignedInUser = await sign_in()
    await client.delete("/v1/me", headers=me.headers)
    firebase.revoked.discard(me.uid)  # even if Firebase still accepted the person
    again = await client.post("/v1/auth/sign-in", json={"id_token": firebase.token_for(me.uid)})
    assert again.status_code == 403
    assert again.json()["type"] == "urn:mlp:problem:account-disabled"


async def test_api_keys_cannot_delete_the_account(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    created = await client.post("/v1/api-keys", json={"name": "k", "scopes": ["models:*"]}, headers=me.headers)
    key = {"authorization": f"Bearer {created.json()['secret']}"}
    assert (await client.delete("/v1/me", headers=key)).status_code == 403
    assert (await client.get("/v1/me", headers=me.headers)).status_code == 200

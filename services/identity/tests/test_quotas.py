"""Quotas: enforced in PostgreSQL (so across replicas), 429 with Retry-After and the budget."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from conftest import SignedInUser
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.common.runtime.database import plain_database_url
from mlp.identity.adapters.db.usage_counter import SqlUsageStore
from mlp.identity.app import create_app
from mlp.identity.application.quota_leases import LeasedUsageCounter
from mlp.identity.domain.api_keys import ApiKey
from mlp.identity.settings import IdentitySettings

Client = AsyncTestClient[Litestar]


async def new_key(client: Client, owner: SignedInUser, **quotas: int) -> str:
    body = {"name": "q", "scopes": ["inference"], **quotas}
    response = await client.post("/v1/api-keys", json=body, headers=owner.headers)
    secret: str = response.json()["secret"]
    return secret


async def test_per_minute_quota_answers_429_with_retry_after(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    key = {"authorization": f"Bearer {await new_key(client, me, requests_per_minute=3)}"}
    answers = [await client.post("/v1/auth/verify", headers=key) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
    refused = answers[3]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:mlp:problem:quota-exceeded"
    assert 1 <= int(refused.headers["retry-after"]) <= 61
    assert refused.headers["x-ratelimit-limit"] == "3"
    assert refused.headers["x-ratelimit-remaining"] == "0"


async def test_monthly_quota_is_reported_and_enforced(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    key = {"authorization": f"Bearer {await new_key(client, me, requests_per_minute=100, requests_per_month=2)}"}
    statuses = [(await client.post("/v1/auth/verify", headers=key)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    listed = (await client.get("/v1/api-keys", headers=me.headers)).json()["items"][0]["quota_use"]
    used = {w["window"]: w["used"] for w in listed}
    assert used == {"minute": 2, "month": 2}  # the refused call counted in no window


async def test_quota_holds_across_two_identity_instances(
    client: Client, sign_in: Any, identity_settings: IdentitySettings, firebase: Any
) -> None:
    me: SignedInUser = await sign_in()
    key = {"authorization": f"Bearer {await new_key(client, me, requests_per_minute=10)}"}
    async with AsyncTestClient(app=create_app(identity_settings, firebase=firebase)) as other:
        calls = [c.post("/v1/auth/verify", headers=key) for c in (client, other) for _ in range(10)]
        statuses = [r.status_code for r in await asyncio.gather(*calls)]
    assert statuses.count(200) == 10
    assert statuses.count(429) == 10


async def test_quota_refusal_is_audited_once_per_window(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    key = {"authorization": f"Bearer {await new_key(client, me, requests_per_minute=1)}"}
    for _ in range(4):
        await client.post("/v1/auth/verify", headers=key)
    events = await client.get("/v1/audit-events", params={"action": "api_key.quota_exceeded"}, headers=me.headers)
    assert len(events.json()["items"]) == 1
    assert events.json()["items"][0]["outcome"] == "denied"


async def test_a_new_window_starts_from_zero_and_keeps_the_other_windows(database_url: str) -> None:
    """Crossing a minute boundary renews the minute window; the month window keeps counting."""
    pool = await asyncpg.create_pool(plain_database_url(database_url), min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            user_id = await conn.fetchval(
                "INSERT INTO identity.users (firebase_uid) VALUES ($1) RETURNING id", uuid.uuid4().hex
            )
            key_id = await conn.fetchval(
                "INSERT INTO identity.api_keys (user_id, name, prefix, secret_hash) VALUES ($1, 'k', $2, '\\x00')"
                " RETURNING id",
                user_id,
                uuid.uuid4().hex,
            )
        key = ApiKey(key_id, user_id, "k", "p", (), datetime.now(UTC), requests_per_minute=2, requests_per_month=3)
        counter = LeasedUsageCounter(SqlUsageStore(pool))
        t0 = datetime(2026, 11, 25, 12, 0, 30, tzinfo=UTC)
        first_minute = [await counter.count_request(key, t0) for _ in range(3)]
        next_minute = [await counter.count_request(key, t0 + timedelta(minutes=1)) for _ in range(2)]
        assert [d.allowed for d in first_minute] == [True, True, False]
        assert first_minute[2].windows[0].kind == "minute"
        assert [d.allowed for d in next_minute] == [True, False]
        assert next_minute[1].windows[0].kind == "month"
    finally:
        await pool.close()

"""Quotas: enforced in PostgreSQL (so across replicas), 429 with Retry-After and the budget."""

from __future__ import annotations

import asyncio
from typing import Any

from conftest import SignedInUser
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.identity.app import create_app
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

"""The audit trail: batches from services (idempotent), a user's own listing with filters."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from conftest import SERVICE_CREDENTIAL, SignedInUser
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]
SERVICE = {"authorization": f"Bearer {SERVICE_CREDENTIAL}"}
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def event(user_id: str, minutes: int, action: str = "model.create", **extra: Any) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "user_id": user_id,
        "action": action,
        "resource_type": extra.pop("resource_type", "model"),
        "resource_id": extra.pop("resource_id", f"m-{minutes}"),
        "occurred_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        "service": "registry",
        **extra,
    }


async def test_redelivered_batch_creates_no_duplicates(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    batch = {"events": [event(me.user_id, m) for m in range(3)]}
    first = await client.post("/internal/v1/audit-events", json=batch, headers=SERVICE)
    again = await client.post("/internal/v1/audit-events", json=batch, headers=SERVICE)
    assert first.json() == {"accepted": 3, "duplicates": 0}
    assert again.json() == {"accepted": 0, "duplicates": 3}
    listed = await client.get("/v1/audit-events", params={"resource_type": "model"}, headers=me.headers)
    assert len(listed.json()["items"]) == 3


async def test_listing_filters_orders_newest_first_and_pages(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    batch = [event(me.user_id, m) for m in range(5)] + [event(me.user_id, 10, "model.delete", resource_id="m-x")]
    await client.post("/internal/v1/audit-events", json={"events": batch}, headers=SERVICE)
    params = {"resource_type": "model", "limit": 2}
    seen: list[str] = []
    cursor = None
    while True:
        page = (await client.get("/v1/audit-events", params={**params, **({"cursor": cursor} if cursor else {})},
                                 headers=me.headers)).json()  # fmt: skip
        seen += [e["resource_id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["m-x", "m-4", "m-3", "m-2", "m-1", "m-0"]
    deletes = await client.get("/v1/audit-events", params={"action": "model.delete"}, headers=me.headers)
    assert [e["resource_id"] for e in deletes.json()["items"]] == ["m-x"]
    window = {"resource_type": "model", "since": (T0 + timedelta(minutes=1)).isoformat(),
              "until": (T0 + timedelta(minutes=3)).isoformat()}  # fmt: skip
    ranged = await client.get("/v1/audit-events", params=window, headers=me.headers)
    assert [e["resource_id"] for e in ranged.json()["items"]] == ["m-2", "m-1"]


async def test_users_see_only_their_own_events(client: Client, sign_in: Any) -> None:
    alice: SignedInUser = await sign_in()
    mallory: SignedInUser = await sign_in()
    secret_event = event(alice.user_id, 1, resource_type="dataset", resource_id="private")
    await client.post("/internal/v1/audit-events", json={"events": [secret_event]}, headers=SERVICE)
    stolen = await client.get("/v1/audit-events", params={"resource_id": "private"}, headers=mallory.headers)
    assert stolen.json()["items"] == []


async def test_only_services_can_deliver_events(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    batch = {"events": [event(me.user_id, 1)]}
    assert (await client.post("/internal/v1/audit-events", json=batch, headers=me.headers)).status_code == 403
    assert (await client.post("/internal/v1/audit-events", json=batch)).status_code == 401


async def test_malformed_batches_and_cursors_are_400(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    bad_batches = [{"events": []}, {"events": [{**event(me.user_id, 1), "action": "a" * 500}]},
                   {"events": [event(me.user_id, 1)] * 501}]  # fmt: skip
    for batch in bad_batches:
        response = await client.post("/internal/v1/audit-events", json=batch, headers=SERVICE)
        assert response.status_code == 400, response.text
    bad_cursor = await client.get("/v1/audit-events", params={"cursor": "!!!"}, headers=me.headers)
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["field"] == "cursor"


async def test_an_ingested_event_belongs_to_the_service_that_delivered_it(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    spoofed = event(me.user_id, 1, resource_id="spoof", service="billing")
    assert (
        await client.post("/internal/v1/audit-events", json={"events": [spoofed]}, headers=SERVICE)
    ).status_code == 200
    listed = await client.get("/v1/audit-events", params={"resource_id": "spoof"}, headers=me.headers)
    assert [e["service"] for e in listed.json()["items"]] == ["registry"]  # SERVICE_CREDENTIAL is registry's


async def test_identitys_own_events_record_the_request(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    headers = {**me.headers, "user-agent": "audit-test/1.0", "x-request-id": "req-audit-1"}
    created = await client.post("/v1/api-keys", json={"name": "k", "scopes": ["inference"]}, headers=headers)
    listed = await client.get("/v1/audit-events", params={"action": "api_key.create"}, headers=me.headers)
    [recorded] = listed.json()["items"]
    assert recorded["resource_id"] == created.json()["key"]["id"]
    assert recorded["request_id"] == "req-audit-1"
    assert recorded["user_agent"] == "audit-test/1.0"
    assert recorded["ip_address"]

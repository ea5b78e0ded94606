"""Text PostgreSQL cannot store (U+0000) is a 400 naming the field, never a 500, and changes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from conftest import SERVICE_CREDENTIAL, SignedInUser
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]


def assert_400_naming(response: Any, field: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["type"] == "urn:mlp:problem:validation-error"
    assert response.json()["field"] == field


async def test_nul_in_my_profile_is_refused_and_nothing_changes(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    before = (await client.get("/v1/me", headers=me.headers)).json()
    response = await client.patch("/v1/me", json={"display_name": "Ada\u0000"}, headers=me.headers)
    assert_400_naming(response, "display_name")
    assert (await client.get("/v1/me", headers=me.headers)).json() == before


async def test_nul_in_an_audit_filter_is_refused(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    response = await client.get("/v1/audit-events", params={"resource_id": "m\u00001"}, headers=me.headers)
    assert_400_naming(response, "resource_id")


async def test_nul_in_an_ingested_event_is_refused(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    event = {
        "event_id": str(uuid.uuid4()),
        "user_id": me.user_id,
        "action": "model.create",
        "resource_type": "model\u0000",
        "occurred_at": datetime.now(UTC).isoformat(),
        "service": "registry",
    }
    service = {"authorization": f"Bearer {SERVICE_CREDENTIAL}"}
    response = await client.post("/internal/v1/audit-events", json={"events": [event]}, headers=service)
    assert_400_naming(response, "events[0].resource_type")

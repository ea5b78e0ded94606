"""Hostile text and headers on the four running services: a 400 or 401, never a 500.

NUL cannot be stored by PostgreSQL (``text`` or ``jsonb``): it is refused with 400 naming the
field before any handler runs, and nothing is written. An Authorization header that is not
printable ASCII is a 401 on every service.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest

from mlp.common.contracts.events import USER_DELETED_PATH
from mlp.common.runtime.database import plain_database_url
from mlp.devtools.firebase_emulator import FirebaseEmulator

SERVICES = ["identity", "registry", "evaluation", "billing"]


def audit_event(**fields: Any) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "user_id": str(uuid.uuid4()),
        "action": "model.create",
        "resource_type": "model",
        "occurred_at": datetime.now(UTC).isoformat(),
        "service": "registry",
        **fields,
    }


def assert_400_naming(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "urn:mlp:problem:validation-error"
    assert response.json()["field"] == field


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"action": "model.cre\u0000ate"}, "events[0].action"),
        ({"details": {"note": "a\u0000"}}, "events[0].details.note"),
    ],
)
async def test_identity_refuses_nul_in_a_json_field_and_stores_nothing(
    platform: dict[str, str],
    mint_token: Callable[[dict[str, object]], str],
    database_url: str,
    fields: dict[str, Any],
    field: str,
) -> None:
    event = audit_event(**fields)
    registry_token = mint_token({"service": "registry"})
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{platform['identity']}/internal/v1/audit-events",
            json={"events": [event]},
            headers={"authorization": f"Bearer {registry_token}"},
        )
    assert_400_naming(response, field)
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        stored = await conn.fetchval(
            "SELECT count(*) FROM identity.operation_events WHERE event_id = $1", uuid.UUID(event["event_id"])
        )
    finally:
        await conn.close()
    assert stored == 0


async def test_identity_refuses_nul_in_a_query_parameter(
    platform: dict[str, str], firebase_emulator: FirebaseEmulator
) -> None:
    person = await firebase_emulator.create_user()
    async with httpx.AsyncClient(base_url=platform["identity"], timeout=10) as identity:
        signed_in = await identity.post("/v1/auth/sign-in", json={"id_token": person.id_token})
        assert signed_in.status_code == 201, signed_in.text
        token = signed_in.json()["platform_token"]
        response = await identity.get("/v1/audit-events?action=x%00", headers={"authorization": f"Bearer {token}"})
    assert_400_naming(response, "action")


@pytest.mark.parametrize("service", ["registry", "evaluation", "billing"])
def test_nul_in_a_json_body_is_a_400_naming_the_field(
    platform: dict[str, str], identity_service_token: str, service: str
) -> None:
    # the user.deleted receiver is the one JSON route all three have so far; a NUL anywhere in a
    # body is refused, even in a member the receiver would ignore
    event = {
        "event_id": str(uuid.uuid4()),
        "user_id": str(uuid.uuid4()),
        "deleted_at": datetime.now(UTC).isoformat(),
        "reason": "gdpr\u0000",
    }
    response = httpx.post(
        f"{platform[service]}{USER_DELETED_PATH}",
        json=event,
        headers={"authorization": f"Bearer {identity_service_token}"},
    )
    assert_400_naming(response, "reason")


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(
    "header", ["Bearer caf\u00e9".encode(), "Bearer caf\u00e9".encode("latin-1"), b"Bearer \xff\xfe"]
)
def test_a_malformed_authorization_header_is_401(platform: dict[str, str], service: str, header: bytes) -> None:
    response = httpx.get(f"{platform[service]}/v1/whoami", headers={"authorization": header})
    assert response.status_code == 401, response.text
    assert response.json()["type"] == "urn:mlp:problem:unauthenticated"

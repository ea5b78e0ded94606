"""Each service's ``user.deleted`` receiver, over HTTP on the real processes.

Only identity's service token gets in (a user, or another service, is 403; no token 401); the
event is recorded once in the service's ``received_events`` and a redelivery says ``duplicate``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import httpx
import msgspec
import pytest
from sqlalchemy import MetaData

from mlp.common.contracts.events import USER_DELETED_PATH, PurgeReceipt, UserDeleted
from mlp.common.runtime.database import plain_database_url
from mlp.common.runtime.inbox import received_events_table, user_deleted_receiver

SUBSCRIBERS = ["registry", "evaluation", "billing"]


def post_event(url: str, event: UserDeleted, token: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return httpx.post(f"{url}{USER_DELETED_PATH}", content=msgspec.json.encode(event), headers=headers, timeout=10)


def new_event() -> UserDeleted:
    return UserDeleted(event_id=uuid.uuid4(), user_id=uuid.uuid4(), deleted_at=datetime.now(UTC))


async def received(database_url: str, schema: str, event_id: uuid.UUID) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        return await conn.fetch(f"SELECT * FROM {schema}.received_events WHERE event_id = $1", event_id)
    finally:
        await conn.close()


@pytest.mark.parametrize("service", SUBSCRIBERS)
async def test_a_redelivered_event_is_recorded_once(
    platform: dict[str, str], database_url: str, identity_service_token: str, service: str
) -> None:
    event = new_event()

    first = post_event(platform[service], event, identity_service_token)
    again = post_event(platform[service], event, identity_service_token)

    assert first.status_code == 200, first.text
    assert msgspec.json.decode(first.content, type=PurgeReceipt) == PurgeReceipt(
        event_id=event.event_id, service=service, duplicate=False
    )
    assert again.status_code == 200, again.text
    assert msgspec.json.decode(again.content, type=PurgeReceipt).duplicate is True
    rows = await received(database_url, service, event.event_id)
    assert [(r["kind"], r["user_id"]) for r in rows] == [("user.deleted", event.user_id)]


@pytest.mark.parametrize("service", SUBSCRIBERS)
def test_a_user_token_is_403(
    platform: dict[str, str], platform_env_vars: dict[str, str], identity_user: uuid.UUID, service: str
) -> None:
    user_token = mint(
        platform, platform_env_vars, {"user_id": str(identity_user), "scopes": ["models:*"], "caller_scopes": ["*"]}
    )
    response = post_event(platform[service], new_event(), user_token)
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("service", SUBSCRIBERS)
def test_another_services_token_is_403(
    platform: dict[str, str], platform_env_vars: dict[str, str], service: str
) -> None:
    registry_token = mint(platform, platform_env_vars, {"service": "registry"})
    response = post_event(platform[service], new_event(), registry_token)
    assert response.status_code == 403, response.text
    assert "identity" in response.json()["detail"]


@pytest.mark.parametrize("service", SUBSCRIBERS)
def test_no_token_is_401(platform: dict[str, str], service: str) -> None:
    response = post_event(platform[service], new_event(), None)
    assert response.status_code == 401, response.text


def test_a_malformed_event_is_a_400_problem_naming_the_field(
    platform: dict[str, str], identity_service_token: str
) -> None:
    response = httpx.post(
        f"{platform['registry']}{USER_DELETED_PATH}",
        json={"event_id": "not-a-uuid", "user_id": str(uuid.uuid4()), "deleted_at": datetime.now(UTC).isoformat()},
        headers={"authorization": f"Bearer {identity_service_token}"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["type"] == "urn:mlp:problem:validation-error"
    assert "event_id" in response.text


def mint(platform: dict[str, str], platform_env_vars: dict[str, str], body: dict[str, object]) -> str:
    """A platform token from identity's internal endpoint, asked with registry's credential."""
    response = httpx.post(
        f"{platform['identity']}/internal/v1/tokens",
        json=body,
        headers={"authorization": f"Bearer {platform_env_vars['REGISTRY_SERVICE_CREDENTIAL']}"},
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


# --- an acknowledged user.deleted means the user's data is gone --------------------------------
# The purge hook is required; a service without a purge yet refuses the event (503, not recorded,
# so identity redelivers it) while it holds a row of that user.
ROW_OF_USER = {
    "registry": "INSERT INTO registry.models (user_id, name) VALUES ($1, 'm')",
    "evaluation": "INSERT INTO evaluation.criterion_definitions (user_id, name, kind) VALUES ($1, 'c', 'regex')",
    "billing": "INSERT INTO billing.budgets (user_id, monthly_amount_minor, currency, thresholds) "
    "VALUES ($1, 10000, 'USD', '{50,80,100}')",
}
USER_TABLE = {
    "registry": "registry.models",
    "evaluation": "evaluation.criterion_definitions",
    "billing": "billing.budgets",
}


def test_the_purge_hook_cannot_be_left_out() -> None:
    table = received_events_table(MetaData(schema="anything"))
    with pytest.raises(TypeError, match="on_user_deleted"):
        user_deleted_receiver("anything", table)  # type: ignore[call-arg]


@pytest.mark.parametrize("service", SUBSCRIBERS)
async def test_an_event_is_acknowledged_only_once_the_users_data_is_gone(
    platform: dict[str, str], database_url: str, identity_service_token: str, service: str
) -> None:
    event = new_event()
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        await conn.execute(ROW_OF_USER[service], event.user_id)
        response = post_event(platform[service], event, identity_service_token)
        left = await conn.fetchval(f"SELECT count(*) FROM {USER_TABLE[service]} WHERE user_id = $1", event.user_id)
        if response.status_code == 200:  # a service with a real purge
            assert left == 0
        else:
            assert response.status_code == 503, response.text
            assert response.json()["type"] == "urn:mlp:problem:purge-not-implemented"
            assert await received(database_url, service, event.event_id) == []
            assert left == 1
    finally:
        await conn.execute(f"DELETE FROM {USER_TABLE[service]} WHERE user_id = $1", event.user_id)
        await conn.close()


@pytest.mark.parametrize("service", SUBSCRIBERS)
async def test_a_user_without_data_is_acknowledged(
    platform: dict[str, str], database_url: str, identity_service_token: str, service: str
) -> None:
    event = new_event()
    assert post_event(platform[service], event, identity_service_token).status_code == 200
    assert [r["user_id"] for r in await received(database_url, service, event.event_id)] == [event.user_id]

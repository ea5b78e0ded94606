"""POST /v1/usage-events: per-event results, idempotency, who may report what, CloudEvents."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from billing_harness import Billing, Tokens

from mlp.billing.application.jobs import PUSH_METER_EVENTS
from mlp.billing.domain.periods import Period


def event(user: uuid.UUID, billing: Billing, **overrides: Any) -> dict[str, Any]:
    body = {
        "event_id": uuid.uuid4().hex,
        "user_id": str(user),
        "metric": "inference.tokens.input",
        "quantity": 100,
        "timestamp": billing.clock.now().isoformat(),
        "properties": {"model": "m1"},
    }
    return {**body, **overrides}


async def post(billing: Billing, headers: dict[str, str], events: list[dict[str, Any]]) -> dict[str, Any]:
    response = await billing.client.post("/v1/usage-events", json={"events": events}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def summary(billing: Billing, tokens: Tokens, user: uuid.UUID) -> dict[str, Any]:
    response = await billing.client.get("/v1/usage/summary", headers=tokens.user(user))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_batch_answers_per_event_and_counts_each_event_once(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()
    now = billing.clock.now()
    good, again = event(user, billing, quantity="1.5"), event(user, billing, quantity=2)
    batch = [
        good,
        again,
        event(user, billing, metric="no.such.metric"),
        event(user, billing, quantity=-1),
        event(user, billing, quantity="lots"),
        event(user, billing, timestamp=(now - timedelta(days=36)).isoformat()),
        event(user, billing, timestamp=(now + timedelta(minutes=6)).isoformat()),
        event(user, billing, properties={"model": "nul\u0000byte"}),
    ]
    receipt = await post(billing, tokens.service(), batch)
    assert [r["status_code"] for r in receipt["results"]] == [202, 202, 422, 422, 422, 422, 422, 422]
    assert "metric" in receipt["results"][2]["detail"]
    assert "timestamp" in receipt["results"][6]["detail"]
    assert (receipt["accepted"], receipt["duplicates"], receipt["rejected"]) == (2, 0, 6)

    replay = await post(billing, tokens.service(), [good, {**again, "quantity": 3}])
    assert [(r["status"], r["status_code"]) for r in replay["results"]] == [("duplicate", 200), ("conflict", 409)]

    line = (await summary(billing, tokens, user))["lines"]
    assert [(x["metric"], Decimal(x["quantity"]), x["events"]) for x in line] == [
        ("inference.tokens.input", Decimal("3.5"), 2)
    ]
    pushes = [p for p in await billing.take_jobs(PUSH_METER_EVENTS) if str(user).encode() in p]
    assert len(pushes) == 1  # only the batch that inserted something queued a push


async def test_a_user_credential_reports_only_its_own_usage(billing: Billing, tokens: Tokens) -> None:
    me, other = uuid.uuid4(), uuid.uuid4()
    mine = {"metric": "custom.api_calls"}
    receipt = await post(
        billing, tokens.user(me, "usage:write"), [event(me, billing, **mine), event(other, billing, **mine)]
    )
    assert [r["status_code"] for r in receipt["results"]] == [202, 403]
    refused = await billing.client.post(
        "/v1/usage-events", json={"events": [event(me, billing)]}, headers=tokens.user(me, "billing:read")
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"


async def test_the_same_event_id_of_two_users_are_two_events(billing: Billing, tokens: Tokens) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    shared = "evt-shared-id"
    receipt = await post(
        billing, tokens.service(), [event(first, billing, event_id=shared), event(second, billing, event_id=shared)]
    )
    assert [r["status"] for r in receipt["results"]] == ["accepted", "accepted"]


async def test_a_malformed_or_oversized_batch_is_refused_whole(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()
    not_json = await billing.client.post("/v1/usage-events", content=b"{nope", headers=tokens.service())
    assert not_json.status_code == 400
    assert not_json.json()["type"] == "urn:mlp:problem:invalid-json"
    too_many = [event(user, billing) for _ in range(1001)]
    oversized = await billing.client.post("/v1/usage-events", json={"events": too_many}, headers=tokens.service())
    assert oversized.status_code == 422
    assert oversized.json()["field"] == "events"
    assert (await summary(billing, tokens, user))["lines"] == []


async def test_cloudevents_single_and_batch_are_usage_events(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()

    def cloud_event(event_id: str, tokens_used: int) -> dict[str, Any]:
        return {
            "specversion": "1.0",
            "id": event_id,
            "source": "openmeter-producer",
            "type": "inference.tokens.output",
            "subject": str(user),
            "time": billing.clock.now().isoformat(),
            "data": {"quantity": tokens_used, "model": "m2"},
        }

    single = await billing.client.post(
        "/v1/usage-events",
        content=__import__("json").dumps(cloud_event("ce-1", 10)),
        headers={**tokens.service(), "content-type": "application/cloudevents+json"},
    )
    assert single.status_code == 200
    assert single.json()["accepted"] == 1
    batch = await billing.client.post(
        "/v1/usage-events",
        content=__import__("json").dumps([cloud_event("ce-1", 10), cloud_event("ce-2", 5)]),
        headers={**tokens.service(), "content-type": "application/cloudevents-batch+json"},
    )
    assert [r["status"] for r in batch.json()["results"]] == ["duplicate", "accepted"]
    status = await billing.client.get("/v1/usage-events/ce-2", headers=tokens.user(user))
    assert status.status_code == 200
    assert status.json()["status"] == "accepted"
    assert Decimal(status.json()["quantity"]) == 5
    assert (await billing.client.get("/v1/usage-events/ce-2", headers=tokens.user(uuid.uuid4()))).status_code == 404


async def test_a_late_event_adjusts_its_own_period(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()
    late = billing.clock.now() - timedelta(days=30)
    await post(billing, tokens.service(), [event(user, billing, quantity=7, timestamp=late.isoformat())])
    period = Period.of(late).label
    then = await billing.client.get(f"/v1/usage/summary?period={period}", headers=tokens.user(user))
    assert [Decimal(x["quantity"]) for x in then.json()["lines"]] == [7]
    if period != Period.of(billing.clock.now()).label:
        assert (await summary(billing, tokens, user))["lines"] == []
    bad = await billing.client.get("/v1/usage/summary?period=2026-13", headers=tokens.user(user))
    assert bad.status_code in (400, 422)


async def test_the_openapi_document_describes_billing(billing: Billing) -> None:
    schema = await billing.client.get("/schema/openapi.json")
    assert schema.status_code == 200
    assert {"/v1/usage-events", "/v1/usage/summary", "/v1/stripe/webhook"} <= set(schema.json()["paths"])


async def test_an_id_repeated_within_one_batch_is_counted_once(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()
    once = event(user, billing, quantity=4)
    receipt = await post(billing, tokens.service(), [once, once, {**once, "quantity": 5}])
    assert [r["status_code"] for r in receipt["results"]] == [202, 200, 409]
    assert [Decimal(x["quantity"]) for x in (await summary(billing, tokens, user))["lines"]] == [4]

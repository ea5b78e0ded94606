"""Only the platform writes the platform's usage (issue 16, item 1).

Platform metrics come from service credentials only; ids are unique per (user, source) with the
authenticated caller as source, so a user's own events (``custom.*``, with ``usage:write`` asked for
by name) can never pre-claim the id of a service's event.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from billing_harness import Billing, Tokens
from test_usage_ingestion import event, post, summary

from mlp.billing.application.jobs import PUSH_METER_EVENTS

EVERY_KEY_SCOPE = (
    "models:* datasets:* tune:* inference evals:* billing:read billing:write usage:write audit:read profile:read"
)


async def rows_book(billing: Billing, tokens: Tokens, user: uuid.UUID, *extra: dict[str, Any]) -> None:
    response = await billing.client.post(
        "/v1/price-books",
        json={
            "name": f"rows-{uuid.uuid4().hex[:6]}",
            "currency": "USD",
            "user_id": str(user),
            "items": [
                {"metric": "eval.rows", "model": "per_unit", "unit_price": "1"},
                {"metric": "tune.tokens.trained", "model": "per_unit", "unit_price": "1"},
                *extra,
            ],
        },
        headers=tokens.service(),
    )
    assert response.status_code == 201, response.text


async def test_ids_pre_claimed_by_the_user_with_quantity_0_do_not_stop_the_platforms_events(
    billing: Billing, tokens: Tokens
) -> None:
    user, run, job = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await rows_book(billing, tokens, user)
    ids = [f"evaluation:eval.rows:{run}:0", f"tune:{job}"]
    squatter = tokens.user(user, EVERY_KEY_SCOPE)
    platform_metrics = await post(
        billing,
        squatter,
        [
            event(user, billing, event_id=ids[0], metric="eval.rows", quantity=0),
            event(user, billing, event_id=ids[1], metric="tune.tokens.trained", quantity=0),
        ],
    )
    assert [r["status_code"] for r in platform_metrics["results"]] == [403, 403]
    own_metric = await post(
        billing, squatter, [event(user, billing, event_id=i, metric="custom.x", quantity=0) for i in ids]
    )
    assert [r["status_code"] for r in own_metric["results"]] == [202, 202]

    real = await post(
        billing,
        tokens.service("evaluation"),
        [
            event(user, billing, event_id=ids[0], metric="eval.rows", quantity=5),
            event(user, billing, event_id=ids[1], metric="tune.tokens.trained", quantity=7),
        ],
    )
    assert [r["status"] for r in real["results"]] == ["accepted", "accepted"]
    lines = {x["metric"]: x["amount_minor"] for x in (await summary(billing, tokens, user))["lines"]}
    assert lines == {"eval.rows": 5, "tune.tokens.trained": 7, "custom.x": 0}
    status = await billing.client.get(f"/v1/usage-events/{ids[0]}", headers=tokens.user(user))
    assert (status.json()["source"], Decimal(status.json()["quantity"])) == ("evaluation", 5)
    own = await billing.client.get(f"/v1/usage-events/{ids[0]}?source=user", headers=tokens.user(user))
    assert (own.json()["source"], own.json()["metric"]) == ("user", "custom.x")


async def test_a_key_with_every_scope_cannot_write_platform_metrics_natively_or_as_cloudevents(
    billing: Billing, tokens: Tokens
) -> None:
    user = uuid.uuid4()
    key = tokens.user(user, EVERY_KEY_SCOPE)
    native = await post(
        billing,
        key,
        [
            event(user, billing, metric="eval.rows", quantity=1000),
            event(user, billing, metric="inference.tokens.input", quantity=1001),
        ],
    )
    assert [(r["status"], r["status_code"]) for r in native["results"]] == [("forbidden", 403)] * 2
    cloud = [
        {
            "specversion": "1.0",
            "id": uuid.uuid4().hex,
            "source": "me",
            "type": metric,
            "subject": str(user),
            "time": billing.clock.now().isoformat(),
            "data": {"quantity": quantity},
        }
        for metric, quantity in (("eval.rows", 1000), ("inference.tokens.input", 1001))
    ]
    batch = await billing.client.post(
        "/v1/usage-events",
        content=json.dumps(cloud),
        headers={**key, "content-type": "application/cloudevents-batch+json"},
    )
    assert [r["status_code"] for r in batch.json()["results"]] == [403, 403]
    assert (await summary(billing, tokens, user))["lines"] == []


async def test_a_session_does_not_carry_usage_write(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()
    refused = await billing.client.post(
        "/v1/usage-events",
        json={"events": [event(user, billing, metric="custom.x")]},
        headers=tokens.user(user, "*"),
    )
    assert refused.status_code == 403
    assert "usage:write" in refused.json()["detail"]


async def test_a_users_metric_is_named_custom_and_priced_only_by_a_book_naming_it(
    billing: Billing, tokens: Tokens
) -> None:
    user = uuid.uuid4()
    mine = tokens.user(user, "usage:write")
    receipt = await post(
        billing,
        mine,
        [event(user, billing, metric="api_calls"), event(user, billing, metric="custom.api_calls", quantity=3)],
    )
    assert [r["status_code"] for r in receipt["results"]] == [422, 202]
    assert {x["metric"]: x["amount_minor"] for x in (await summary(billing, tokens, user))["lines"]} == {
        "custom.api_calls": 0
    }
    await rows_book(billing, tokens, user, {"metric": "custom.api_calls", "model": "per_unit", "unit_price": "2"})
    await post(billing, mine, [event(user, billing, metric="custom.api_calls", quantity=4)])
    lines = {(x["metric"], x["amount_minor"]) for x in (await summary(billing, tokens, user))["lines"]}
    assert ("custom.api_calls", 8) in lines
    from_service = await post(billing, tokens.service(), [event(user, billing, metric="custom.api_calls")])
    assert from_service["results"][0]["status_code"] == 422  # a service reports platform metrics only


async def test_the_same_id_from_a_service_and_from_the_user_is_pushed_to_stripe_as_two_meter_events(
    billing: Billing, tokens: Tokens
) -> None:
    user = uuid.uuid4()
    await rows_book(billing, tokens, user, {"metric": "custom.api_calls", "model": "per_unit", "unit_price": "1"})
    shared = f"tune:{uuid.uuid4()}"
    await post(billing, tokens.service(), [event(user, billing, event_id=shared, metric="eval.rows", quantity=2)])
    await post(
        billing, tokens.user(user, "usage:write"), [event(user, billing, event_id=shared, metric="custom.api_calls")]
    )
    await billing.run_jobs(PUSH_METER_EVENTS)
    pushed = [e for e, _ in billing.stripe.meter_events.values() if e.user_id == user]
    assert sorted((e.source, e.metric) for e in pushed) == [("registry", "eval.rows"), ("user", "custom.api_calls")]
    assert len({e.identifier for e in pushed}) == 2
    for source in ("registry", "user"):
        status = await billing.client.get(f"/v1/usage-events/{shared}?source={source}", headers=tokens.user(user))
        assert status.json()["status"] == "pushed"

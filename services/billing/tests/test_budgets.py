"""Budgets: each threshold fires once per period, records an alert and queues a signed webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import timedelta

from billing_harness import Billing, Tokens
from test_usage_ingestion import event, post

from mlp.billing.adapters.http.alert_webhooks import signature
from mlp.billing.application.jobs import CHECK_BUDGET, NOTIFY_ALERT


async def price_rows(billing: Billing, tokens: Tokens, user: uuid.UUID) -> None:
    book = {
        "name": "budget-test",
        "currency": "USD",
        "user_id": str(user),
        "effective_from": billing.clock.now().isoformat(),
        "items": [{"metric": "eval.rows", "model": "per_unit", "unit_price": "1"}],
    }
    assert (await billing.client.post("/v1/price-books", json=book, headers=tokens.service())).status_code == 201


async def test_thresholds_fire_once_each_with_a_signed_webhook(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()
    await price_rows(billing, tokens, user)
    put = await billing.client.put(
        "/v1/budgets",
        json={"monthly_amount_minor": 1000, "currency": "USD", "webhook_url": "https://hooks.example/budget"},
        headers=tokens.user(user),
    )
    assert put.status_code == 200, put.text
    secret = put.json()["webhook_secret"]
    assert put.json()["thresholds"] == [50, 80, 100]
    assert (await billing.client.get("/v1/budgets", headers=tokens.user(user))).json()["webhook_secret"] is None

    at = (billing.clock.now() + timedelta(seconds=1)).isoformat()
    for quantity in (600, 100, 300, 50):  # 60 %, 70 %, 100 %, 105 %
        await post(
            billing, tokens.service(), [event(user, billing, metric="eval.rows", quantity=quantity, timestamp=at)]
        )
        await billing.run_jobs(CHECK_BUDGET)
    assert await billing.cases.budgets.check(user) == []  # checking again fires nothing

    alerts = (await billing.client.get("/v1/alerts", headers=tokens.user(user))).json()["data"]
    assert sorted(a["threshold_percent"] for a in alerts) == [50, 80, 100]
    assert await billing.run_jobs(NOTIFY_ALERT) == 3
    sent = [s for s in billing.webhooks.sent if s[0] == "https://hooks.example/budget"]
    assert sorted(json.loads(body)["threshold_percent"] for _, _, body, _ in sent) == [50, 80, 100]
    assert {secret} == {s[1] for s in sent}
    assert {key for *_, key in sent} == {a["id"] for a in alerts}


def test_the_webhook_signature_is_hmac_sha256_of_timestamp_and_body() -> None:
    body = b'{"id":"a"}'
    expected = hmac.new(b"whsec_x", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature("whsec_x", body, 1700000000) == f"t=1700000000,v1={expected}"


async def test_budget_input_is_bounded_and_scoped(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()
    bad = await billing.client.put(
        "/v1/budgets", json={"monthly_amount_minor": 0, "currency": "USD"}, headers=tokens.user(user)
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "monthly_amount_minor"
    huge = await billing.client.put(
        "/v1/budgets", json={"monthly_amount_minor": 10**20, "currency": "USD"}, headers=tokens.user(user)
    )
    assert huge.status_code == 400
    read_only = await billing.client.put(
        "/v1/budgets", json={"monthly_amount_minor": 5, "currency": "USD"}, headers=tokens.user(user, "billing:read")
    )
    assert read_only.status_code == 403
    assert (await billing.client.get("/v1/budgets", headers=tokens.user(user))).status_code == 404

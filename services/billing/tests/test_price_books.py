"""Price books over HTTP: one in force per user at a time, overlaps refused, mid-period changes rate by timestamp."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from billing_harness import Billing, Tokens
from test_usage_ingestion import event, post


def book(
    billing: Billing, *, user: uuid.UUID | None = None, start: float = 0, end: float | None = None, price: str = "2"
) -> dict[str, Any]:
    now = billing.clock.now()
    return {
        "name": f"book-{uuid.uuid4().hex[:6]}",
        "currency": "USD",
        "user_id": str(user) if user else None,
        "effective_from": (now + timedelta(seconds=start)).isoformat(),
        "effective_to": (now + timedelta(seconds=end)).isoformat() if end is not None else None,
        "items": [
            {"metric": "eval.rows", "model": "per_unit", "unit_price": price},
            {"metric": "inference.tokens.input", "model": "package", "unit_price": "100", "package_size": "1000"},
        ],
    }


async def test_a_user_book_overrides_the_default_and_changes_mid_period_rate_by_timestamp(
    billing: Billing, tokens: Tokens
) -> None:
    user = uuid.uuid4()
    first = await billing.client.post(
        "/v1/price-books", json=book(billing, user=user, end=120), headers=tokens.service()
    )
    assert first.status_code == 201, first.text
    second = await billing.client.post(
        "/v1/price-books", json=book(billing, user=user, start=120, price="3"), headers=tokens.service()
    )
    assert second.status_code == 201, second.text
    now = billing.clock.now()
    before, after = now + timedelta(seconds=60), now + timedelta(seconds=180)
    await post(
        billing,
        tokens.service(),
        [
            event(user, billing, metric="eval.rows", quantity=10, timestamp=before.isoformat(), event_id="rows-before"),
            event(user, billing, metric="eval.rows", quantity=10, timestamp=after.isoformat()),
            event(user, billing, quantity=1001, timestamp=before.isoformat()),
        ],
    )
    summary = (await billing.client.get("/v1/usage/summary", headers=tokens.user(user))).json()
    by_book = {(x["metric"], x["price_book_id"]): x["amount_minor"] for x in summary["lines"]}
    assert by_book == {
        ("eval.rows", first.json()["id"]): 20,
        ("eval.rows", second.json()["id"]): 30,
        ("inference.tokens.input", first.json()["id"]): 200,  # two packages of 1000 started
    }
    assert summary["totals_minor"] == {"USD": 250}
    daily = (await billing.client.get("/v1/usage/daily", headers=tokens.user(user))).json()["data"]
    assert sum(Decimal(d["cost"]) for d in daily) == 250
    status = (await billing.client.get("/v1/usage-events/rows-before", headers=tokens.user(user))).json()
    assert (status["status"], status["price_book_id"], Decimal(status["amount"])) == ("rated", first.json()["id"], 20)
    visible = (await billing.client.get("/v1/price-books", headers=tokens.user(user))).json()["data"]
    assert {first.json()["id"], second.json()["id"]} <= {b["id"] for b in visible}
    assert (await billing.audit_actions()).count("price_book.created") >= 2  # through the outbox to identity


async def test_overlapping_or_retroactive_books_are_refused(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()
    assert (
        await billing.client.post("/v1/price-books", json=book(billing, user=user), headers=tokens.service())
    ).status_code == 201
    overlap = await billing.client.post(
        "/v1/price-books", json=book(billing, user=user, start=3600), headers=tokens.service()
    )
    assert overlap.status_code == 409
    assert overlap.json()["type"] == "urn:mlp:problem:price-book-overlap"
    past = await billing.client.post(
        "/v1/price-books", json=book(billing, user=uuid.uuid4(), start=-3600), headers=tokens.service()
    )
    assert past.status_code == 422
    assert past.json()["field"] == "effective_from"
    bad = book(billing, user=uuid.uuid4())
    bad["items"][0] = {"metric": "eval.rows", "model": "graduated", "tiers": [{"up_to": "10", "unit_price": "1"}]}
    refused = await billing.client.post("/v1/price-books", json=bad, headers=tokens.service())
    assert refused.status_code == 422
    assert refused.json()["field"] == "items[0]"
    naive = {**book(billing, user=uuid.uuid4()), "effective_from": "2030-01-01T00:00:00"}
    assert (await billing.client.post("/v1/price-books", json=naive, headers=tokens.service())).status_code == 400
    nan = book(billing, user=uuid.uuid4(), price="NaN")
    assert (await billing.client.post("/v1/price-books", json=nan, headers=tokens.service())).status_code == 422
    by_user = await billing.client.post("/v1/price-books", json=book(billing, user=user), headers=tokens.user(user))
    assert by_user.status_code == 403


async def test_ending_a_book_lets_the_next_one_start(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()
    open_ended = (
        await billing.client.post("/v1/price-books", json=book(billing, user=user), headers=tokens.service())
    ).json()
    ended = await billing.client.patch(
        f"/v1/price-books/{open_ended['id']}",
        json={"effective_to": (billing.clock.now() + timedelta(hours=1)).isoformat()},
        headers=tokens.service(),
    )
    assert ended.status_code == 200, ended.text
    following = await billing.client.post(
        "/v1/price-books", json=book(billing, user=user, start=3600), headers=tokens.service()
    )
    assert following.status_code == 201
    missing = await billing.client.patch(
        f"/v1/price-books/{uuid.uuid4()}",
        json={"effective_to": billing.clock.now().isoformat()},
        headers=tokens.service(),
    )
    assert missing.status_code == 404

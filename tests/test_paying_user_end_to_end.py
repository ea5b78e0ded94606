"""From sign-up to a paid plan's invoice, across real processes: a user signs up (Firebase emulator) and
signs in at identity, subscribes through billing's Checkout (the Stripe stand-in, reached by billing's
real SDK adapter), calls a deployment at registry, and Stripe's invoice for the period is billing's
rated summary of that inference.

The customer carries the email identity knows; meter events are pushed by billing's worker and the
webhooks (Checkout completed, invoice finalized) reach billing signed, over HTTP.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from stripe_standin import StripeState
from stripe_standin_lifecycle import close_period, complete_checkout

from mlp.billing.domain.periods import Period
from mlp.devtools.firebase_emulator import FirebaseEmulator
from mlp.devtools.model_server import ModelServer

PLAN = [
    {"metric": "inference.tokens.input", "model": "per_unit", "unit_price": "0.4"},
    {"metric": "inference.tokens.output", "model": "per_unit", "unit_price": "1.5"},
]


@pytest.fixture(scope="module")
def model_server() -> Iterator[ModelServer]:
    server = ModelServer().start()
    yield server
    server.stop()


async def until(check: Callable[[], Awaitable[Any]], within: float = 120) -> Any:
    """``check()``'s answer once truthy (the workers may take a while to start on a busy machine)."""
    deadline = time.monotonic() + within
    while not (found := await check()):
        assert time.monotonic() < deadline, f"{check} not within {within}s"
        await asyncio.sleep(0.3)
    return found


async def deliver(billing: httpx.AsyncClient, secret: str, event: dict[str, Any]) -> None:
    """As Stripe sends it: signed with the endpoint's secret."""
    body, at = json.dumps(event).encode(), int(time.time())
    mac = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    signed = {"stripe-signature": f"t={at},v1={mac}", "content-type": "application/json"}
    assert (await billing.post("/v1/stripe/webhook", content=body, headers=signed)).status_code == 200


async def deployment(registry: httpx.AsyncClient, model_server: ModelServer) -> str:
    model = await registry.post("/v1/registered-models", json={"name": f"paid-{uuid.uuid4().hex[:8]}"})
    version = await registry.post(
        f"/v1/registered-models/{model.json()['id']}/versions", json={"artifact_uri": "s3://m/1"}
    )
    name = f"paid-{uuid.uuid4().hex[:8]}"
    body = {
        "name": name,
        "kind": "openai-chat",
        "model_version_id": version.json()["id"],
        "upstream_url": f"{model_server.url}/v1",
        "served_model": model_server.model,  # the weights at s3://m/1, as the model server names them
    }
    created = await registry.post("/v1/deployments", json=body)
    assert created.status_code == 201, created.text
    return name


async def test_a_signed_up_user_subscribes_calls_a_model_and_is_invoiced_the_rated_summary(
    platform: dict[str, str],
    firebase_emulator: FirebaseEmulator,
    model_server: ModelServer,
    mint_token: Callable[[dict[str, object]], str],
    platform_env_vars: dict[str, str],
    stripe_api: tuple[str, StripeState],
) -> None:
    _, stripe = stripe_api
    secret = platform_env_vars["BILLING_STRIPE_WEBHOOK_SECRET"]
    person = await firebase_emulator.create_user(email=f"ada-{uuid.uuid4().hex[:8]}@example.com")
    async with httpx.AsyncClient(base_url=platform["identity"], timeout=10) as identity:
        signed_in = await identity.post("/v1/auth/sign-in", json={"id_token": person.id_token})
    user_id = signed_in.json()["user"]["id"]
    headers = {"authorization": f"Bearer {signed_in.json()['platform_token']}"}
    operator = {"authorization": f"Bearer {mint_token({'service': 'registry'})}"}
    billing = httpx.AsyncClient(base_url=platform["billing"], headers=headers, timeout=30)
    registry = httpx.AsyncClient(base_url=platform["registry"], headers=headers, timeout=30)
    async with billing, registry:
        now = datetime.now(UTC)
        book = {"name": "plan", "currency": "USD", "user_id": user_id, "effective_from": now.isoformat(), "items": PLAN}
        assert (await billing.post("/v1/price-books", json=book, headers=operator)).status_code == 201

        checkout = await billing.post("/v1/checkout-sessions")
        assert checkout.status_code == 201, checkout.text
        session = stripe.catalogue.sessions[checkout.json()["id"]]
        assert stripe.customers[session["customer"]]["email"] == person.email
        period = Period.of(now)
        for event in complete_checkout(stripe, session["id"], period.starts_at, period.ends_at):
            await deliver(billing, secret, event)
        await until(lambda: _subscribed(billing))

        name = await deployment(registry, model_server)
        for words in ("one two three", "four five", "six"):
            chat = {"model": name, "messages": [{"role": "user", "content": words}]}
            assert (await registry.post("/v1/chat/completions", json=chat)).status_code == 200
        summary = await until(lambda: _rated(billing, events=6))  # input and output tokens of 3 calls
        await until(lambda: _all_pushed(stripe, session["customer"], summary))
        await deliver(billing, secret, close_period(stripe, session["customer"], period.starts_at, period.ends_at))
        invoices = await until(lambda: _invoices(billing))
        assert invoices[0]["total_minor"] == summary["totals_minor"]["USD"]
        rated = sorted(line["amount_minor"] for line in summary["lines"])
        assert sorted(line["amount_minor"] for line in invoices[0]["lines"]) == rated


async def _subscribed(billing: httpx.AsyncClient) -> bool:
    return [s["status"] for s in (await billing.get("/v1/subscriptions")).json()["data"]] == ["active"]


async def _rated(billing: httpx.AsyncClient, events: int) -> dict[str, Any] | None:
    summary: dict[str, Any] = (await billing.get("/v1/usage/summary")).json()
    return summary if sum(line["events"] for line in summary["lines"]) == events else None


async def _invoices(billing: httpx.AsyncClient) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = (await billing.get("/v1/invoices")).json()["data"]
    return data


async def _all_pushed(stripe: StripeState, customer: str, summary: dict[str, Any]) -> bool:
    sent = [e for e in stripe.meter_events.values() if e["payload[stripe_customer_id]"] == customer]
    return sum(Decimal(e["payload[value]"]) for e in sent) == sum(
        Decimal(line["quantity"]) for line in summary["lines"]
    )

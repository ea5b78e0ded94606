"""Nothing refused is lost (issue 16, item 2): a platform service's refused usage is parked with its
reason, counted, listed and replayed (service-only) once the cause is fixed, and billed once."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from billing_harness import Billing, StaticKeys, Tokens
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar.testing import AsyncTestClient
from prometheus_client import REGISTRY
from test_usage_ingestion import event, summary

from mlp.billing.app import create_app
from mlp.billing.settings import BillingSettings
from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.resolver import ServiceCredentialResolver
from mlp.common.contracts.usage import UsageEventBatch, UsageEventIn
from mlp.common.runtime.relays import UsageRelay

PARKED = "/internal/v1/parked-usage-events"
NEW_METRIC = "inference.images"


@asynccontextmanager
async def billing_that_knows(
    settings: BillingSettings, key: rsa.RSAPrivateKey, billing: Billing
) -> AsyncIterator[AsyncTestClient[Any]]:
    """billing's next release, with ``inference.images`` in its catalogue, on the same database."""
    resolver = ServiceCredentialResolver(PlatformTokenVerifier(StaticKeys(key)), None)
    learned = msgspec.structs.replace(settings, extra_metrics=NEW_METRIC)
    async with AsyncTestClient(
        app=create_app(learned, stripe=billing.stripe, clock=billing.clock, resolver=resolver)
    ) as c:
        yield c


def parked_count(status: str) -> float:
    value = REGISTRY.get_sample_value("mlp_usage_events_parked_total", {"source": "registry", "status": status})
    return value or 0.0


async def test_a_metric_billing_does_not_know_is_parked_then_replayed_and_billed_once(
    billing: Billing, tokens: Tokens, billing_settings: BillingSettings, signing_key: rsa.RSAPrivateKey
) -> None:
    user = uuid.uuid4()
    registry_token = tokens.service("registry")["authorization"].removeprefix("Bearer ")

    async def token() -> str:
        return registry_token

    relay = UsageRelay(billing.client, str(billing.client.base_url), token)
    images = UsageEventIn(**{**event(user, billing, metric=NEW_METRIC, quantity=4), "properties": {"size": "1024"}})
    batch = msgspec.json.encode(UsageEventBatch(events=[msgspec.convert(msgspec.to_builtins(images), UsageEventIn)]))
    before = parked_count("invalid")
    await relay(batch)  # acknowledged: the relay is done with it
    await relay(batch)  # a redelivery parks nothing twice
    assert parked_count("invalid") == before + 2

    listed = await billing.client.get(f"{PARKED}?source=registry", headers=tokens.service("ops"))
    mine = [p for p in listed.json()["data"] if p["user_id"] == str(user)]
    assert [(p["event_id"], p["status_code"], p["attempts"]) for p in mine] == [(images.event_id, 422, 2)]
    assert "unknown metric" in mine[0]["reason"]
    assert (await billing.client.get(PARKED, headers=tokens.user(user, "*"))).status_code == 403

    still = await billing.client.post(f"{PARKED}/replay", json={"ids": [mine[0]["id"]]}, headers=tokens.service("ops"))
    assert still.json() == {"replayed": 1, "resolved": 0, "still_parked": 1}

    async with billing_that_knows(billing_settings, signing_key, billing) as learned:
        book = await learned.post(
            "/v1/price-books",
            json={
                "name": "images",
                "currency": "USD",
                "user_id": str(user),
                "items": [{"metric": NEW_METRIC, "model": "per_unit", "unit_price": "3"}],
            },
            headers=tokens.service("ops"),
        )
        assert book.status_code == 201, book.text
        replayed = await learned.post(f"{PARKED}/replay", json={"ids": [mine[0]["id"]]}, headers=tokens.service())
        assert replayed.json() == {"replayed": 1, "resolved": 1, "still_parked": 0}
        again = await learned.post(f"{PARKED}/replay", json={"ids": [mine[0]["id"]]}, headers=tokens.service())
        assert again.json()["replayed"] == 0
        await UsageRelay(learned, str(learned.base_url), token)(batch)  # a late redelivery: a duplicate

    lines = (await summary(billing, tokens, user))["lines"]
    assert [(x["metric"], x["events"], x["amount_minor"]) for x in lines] == [(NEW_METRIC, 1, 12)]
    status = await billing.client.get(f"/v1/usage-events/{images.event_id}", headers=tokens.user(user))
    assert status.json()["source"] == "registry"


async def test_a_conflicting_event_of_a_service_is_parked_but_a_users_refusals_are_only_answered(
    billing: Billing, tokens: Tokens
) -> None:
    user = uuid.uuid4()
    first = event(user, billing, metric="eval.rows", quantity=5)
    await billing.client.post("/v1/usage-events", json={"events": [first]}, headers=tokens.service("evaluation"))
    conflict = await billing.client.post(
        "/v1/usage-events", json={"events": [{**first, "quantity": 6}]}, headers=tokens.service("evaluation")
    )
    result = conflict.json()["results"][0]
    assert (result["status_code"], result["parked"]) == (409, True)
    own = await billing.client.post(
        "/v1/usage-events",
        json={"events": [event(user, billing, metric="custom.x", quantity=-1)]},
        headers=tokens.user(user, "usage:write"),
    )
    assert (own.json()["results"][0]["status_code"], own.json()["results"][0]["parked"]) == (422, False)
    listed = (await billing.client.get(f"{PARKED}?source=evaluation&limit=100", headers=tokens.service())).json()
    mine = [p for p in listed["data"] if p["user_id"] == str(user)]
    assert [(p["status_code"], json.loads(p["event"])["quantity"]) for p in mine] == [(409, "6")]

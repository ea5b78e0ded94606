"""What registry and evaluation remember of billing's spend states: at most 4 s, refreshed in the
background in the last second (a busy user never waits), and calls pass while billing is away.
billing's endpoint is played by an httpx transport that counts the calls (the real one answers in
tests/test_billing_trust_across_services.py)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import msgspec

from mlp.common.contracts.spend import SPEND_STATE_PATH, SpendState
from mlp.common.runtime.spend_limits import MAX_AGE_SECONDS, SpendStateClient

USER = uuid.uuid4()


class Billing:
    def __init__(self) -> None:
        self.exhausted = False
        self.down = False
        self.calls: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if self.down:
            return httpx.Response(503)
        state = SpendState(user_id=USER, period="2026-12", exhausted=self.exhausted, hard_limit=True)
        return httpx.Response(200, content=msgspec.json.encode(state))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def service_token() -> str:
    return "service-token"


def client_for(billing: Billing, clock: Clock) -> SpendStateClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(billing))
    return SpendStateClient(http, "http://billing", service_token, clock=clock, max_age_seconds=60)


async def test_an_answer_is_used_at_most_4_s_and_refreshed_in_the_background_in_its_last_second() -> None:
    billing, clock = Billing(), Clock()
    client = client_for(billing, clock)
    assert await client.exhausted(USER) is False
    assert billing.calls[0].url.path == f"{SPEND_STATE_PATH}/{USER}"
    assert billing.calls[0].headers["authorization"] == "Bearer service-token"
    billing.exhausted = True
    clock.now += 2.9
    assert await client.exhausted(USER) is False  # cached (the max age asked for, 60 s, is capped at 4)
    assert len(billing.calls) == 1
    clock.now += 0.2  # in the last second: answered from the cache, asked again behind it
    assert await client.exhausted(USER) is False
    await asyncio.sleep(0.05)
    assert len(billing.calls) == 2
    assert await client.exhausted(USER) is True
    billing.exhausted = False
    clock.now += MAX_AGE_SECONDS + 0.1  # idle past the max age: asked before answering
    assert await client.exhausted(USER) is False
    assert len(billing.calls) == 3


async def test_calls_pass_while_billing_does_not_answer_and_billing_is_asked_again_soon() -> None:
    billing, clock = Billing(), Clock()
    billing.down, billing.exhausted = True, True
    client = client_for(billing, clock)
    assert await client.exhausted(USER) is False
    clock.now += 0.5
    assert await client.exhausted(USER) is False
    await asyncio.sleep(0.05)
    assert len(billing.calls) == 1  # not asked on every call of the outage
    billing.down = False
    clock.now += 1.1
    assert await client.exhausted(USER) is True


async def test_concurrent_calls_of_one_user_ask_once() -> None:
    billing, clock = Billing(), Clock()
    client = client_for(billing, clock)
    await asyncio.gather(*(client.exhausted(USER) for _ in range(20)))
    assert len(billing.calls) == 1

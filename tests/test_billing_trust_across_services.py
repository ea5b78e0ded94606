"""Billing you can trust (issue 16), through real HTTP between the running services.

- A key holding every scope cannot write platform metrics for its own user, natively or as
  CloudEvents, and a session carries no ``usage:write`` at all.
- A hard spend limit reached stops the user's inference (registry) and evaluation runs
  (evaluation) within 5 s, in OpenAI's ``insufficient_quota`` shape, from billing's own counter;
  raising the limit lifts it within 5 s.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from mlp.devtools.firebase_emulator import FirebaseEmulator

DEADLINE_SECONDS = 5.0
CHAT = {"model": "no-such-deployment", "messages": [{"role": "user", "content": "hi"}]}


async def signed_in(http: httpx.AsyncClient, firebase_emulator: FirebaseEmulator, platform: dict[str, str]) -> Any:
    person = await firebase_emulator.create_user()
    answer = await http.post(f"{platform['identity']}/v1/auth/sign-in", json={"id_token": person.id_token})
    session = {"authorization": f"Bearer {answer.json()['platform_token']}"}
    user_id = (await http.get(f"{platform['billing']}/v1/whoami", headers=session)).json()["user_id"]
    return session, user_id


def usage(user_id: str, metric: str, quantity: int) -> dict[str, Any]:
    at = datetime.now(UTC).isoformat()
    return {"event_id": uuid.uuid4().hex, "user_id": user_id, "metric": metric, "quantity": quantity, "timestamp": at}


async def test_a_key_with_every_scope_and_a_session_cannot_write_platform_usage(
    firebase_emulator: FirebaseEmulator, platform: dict[str, str]
) -> None:
    billing = platform["billing"]
    async with httpx.AsyncClient(timeout=30) as http:
        session, user_id = await signed_in(http, firebase_emulator, platform)
        catalogue = (await http.get(f"{platform['identity']}/v1/api-keys/scopes")).json()
        scopes = [s["scope"] if isinstance(s, dict) else s for s in catalogue.get("data", catalogue)]
        created = await http.post(
            f"{platform['identity']}/v1/api-keys", json={"name": "all", "scopes": scopes}, headers=session
        )
        assert created.status_code == 201, created.text
        key = {"authorization": f"Bearer {created.json()['secret']}"}
        events = [usage(user_id, "eval.rows", 1000), usage(user_id, "inference.tokens.input", 1001)]
        native = await http.post(f"{billing}/v1/usage-events", json={"events": events}, headers=key)
        assert [r["status_code"] for r in native.json()["results"]] == [403, 403]
        cloud = [
            {"specversion": "1.0", "id": e["event_id"], "source": "me", "type": e["metric"], "subject": user_id,
             "time": e["timestamp"], "data": {"quantity": e["quantity"]}}
            for e in events
        ]  # fmt: skip
        as_cloudevents = await http.post(
            f"{billing}/v1/usage-events",
            content=json.dumps(cloud),
            headers={**key, "content-type": "application/cloudevents-batch+json"},
        )
        assert [r["status_code"] for r in as_cloudevents.json()["results"]] == [403, 403]
        from_session = await http.post(f"{billing}/v1/usage-events", json={"events": events}, headers=session)
        assert from_session.status_code == 403
        summary = await http.get(f"{billing}/v1/usage/summary", headers=session)
        assert summary.json()["lines"] == []


async def until(check: Callable[[], Any], what: str) -> float:
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < DEADLINE_SECONDS + 2:
        if await check():
            return elapsed
        await asyncio.sleep(0.2)
    raise AssertionError(f"not within {elapsed:.1f} s: {what}")


async def test_a_hard_limit_stops_inference_and_evaluation_within_5_s_and_raising_it_lifts_it(
    firebase_emulator: FirebaseEmulator, platform: dict[str, str], mint_token: Callable[[dict[str, object]], str]
) -> None:
    billing, registry, evaluation = platform["billing"], platform["registry"], platform["evaluation"]
    operator = {"authorization": f"Bearer {mint_token({'service': 'registry'})}"}
    async with httpx.AsyncClient(timeout=30) as http:
        session, user_id = await signed_in(http, firebase_emulator, platform)
        book = {
            "name": f"limit-{uuid.uuid4().hex[:6]}",
            "currency": "USD",
            "user_id": user_id,
            "items": [{"metric": "eval.rows", "model": "per_unit", "unit_price": "1"}],
        }
        assert (await http.post(f"{billing}/v1/price-books", json=book, headers=operator)).status_code == 201
        budget = {"monthly_amount_minor": 100, "currency": "USD", "hard_limit": True}
        assert (await http.put(f"{billing}/v1/budgets", json=budget, headers=session)).status_code == 200

        async def chat() -> httpx.Response:
            return await http.post(f"{registry}/v1/chat/completions", json=CHAT, headers=session)

        async def eval_run() -> httpx.Response:
            body = {"dataset_id": str(uuid.uuid4()), "criteria": [str(uuid.uuid4())]}
            return await http.post(f"{evaluation}/v1/eval-runs", json=body, headers=session)

        assert (await chat()).status_code == 404  # spending allowed (and the state now cached)
        assert (await eval_run()).status_code != 429
        metered = await http.post(
            f"{billing}/v1/usage-events", json={"events": [usage(user_id, "eval.rows", 100)]}, headers=operator
        )
        assert metered.json()["accepted"] == 1

        async def chat_refused() -> bool:
            return (await chat()).status_code == 429

        async def run_refused() -> bool:
            return (await eval_run()).status_code == 429

        metered_at = time.monotonic()
        assert await until(chat_refused, "registry refuses the user's inference") <= DEADLINE_SECONDS
        refused = await chat()
        assert refused.json()["error"]["type"] == refused.json()["error"]["code"] == "insufficient_quota"
        await until(run_refused, "evaluation refuses the user's runs")
        assert time.monotonic() - metered_at <= DEADLINE_SECONDS
        assert (await http.get(f"{billing}/v1/usage/summary", headers=session)).json()["totals_minor"] == {"USD": 100}

        raised = {**budget, "monthly_amount_minor": 1000}
        assert (await http.put(f"{billing}/v1/budgets", json=raised, headers=session)).status_code == 200

        async def chat_allowed() -> bool:
            return (await chat()).status_code == 404

        async def run_allowed() -> bool:
            return (await eval_run()).status_code != 429

        raised_at = time.monotonic()
        await until(chat_allowed, "registry lets the user spend again")
        await until(run_allowed, "evaluation lets the user start runs again")
        assert time.monotonic() - raised_at <= DEADLINE_SECONDS

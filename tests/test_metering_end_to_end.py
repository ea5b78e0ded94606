"""Every call metered exactly once, across the real platform: N calls of every kind (chat, stream,
completions, embeddings, predict, and an llm_judge criterion's calls) go through registry, with the
official ``openai`` client where it applies, and billing's summary holds exactly N calls and each
token once, on the figures the platform counted (the model server is the user's own: its reported
usage is logged beside, never billed).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from openai import AsyncOpenAI

from mlp.devtools.firebase_emulator import FirebaseEmulator
from mlp.devtools.model_server import ModelServer
from mlp.registry.adapters.tiktoken_counter import TiktokenCounter

N = 3
KINDS = {"chat": "openai-chat", "text": "openai-completions", "vectors": "openai-embeddings", "judge": "openai-chat"}
count = TiktokenCounter().count


@pytest.fixture(scope="module")
def model_server() -> Iterator[ModelServer]:
    server = ModelServer().start()
    yield server
    server.stop()


async def signed_in(platform: dict[str, str], firebase_emulator: FirebaseEmulator) -> str:
    """A new user's platform token, from a Firebase sign-in."""
    person = await firebase_emulator.create_user()
    async with httpx.AsyncClient(base_url=platform["identity"], timeout=10) as identity:
        answer = await identity.post("/v1/auth/sign-in", json={"id_token": person.id_token})
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["platform_token"]
    return token


async def deploy_all(registry: httpx.AsyncClient, model_server: ModelServer) -> dict[str, str]:
    """One deployment per kind, and one http-json; name -> id."""
    model = await registry.post("/v1/registered-models", json={"name": "metered"})
    assert model.status_code == 201, model.text
    version = await registry.post(
        f"/v1/registered-models/{model.json()['id']}/versions", json={"artifact_uri": model_server.model}
    )
    assert version.status_code == 201, version.text
    upstreams = {name: (kind, f"{model_server.url}/v1") for name, kind in KINDS.items()}
    upstreams["predictor"] = ("http-json", f"{model_server.url}/predict")
    ids = {}
    for name, (kind, url) in upstreams.items():
        body = {"name": name, "kind": kind, "model_version_id": version.json()["id"], "upstream_url": url}
        deployment = await registry.post("/v1/deployments", json=body)
        assert deployment.status_code == 201, deployment.text
        assert deployment.json()["status"] == "ready", deployment.text
        ids[name] = deployment.json()["id"]
    return ids


async def call_every_kind(platform: dict[str, str], token: str, registry: httpx.AsyncClient, predictor: str) -> None:
    client = AsyncOpenAI(base_url=f"{platform['registry']}/v1", api_key=token, max_retries=0)
    for i in range(N):
        await client.chat.completions.create(model="chat", messages=[{"role": "user", "content": f"plain call {i}"}])
        stream = await client.chat.completions.create(
            model="chat", messages=[{"role": "user", "content": f"streamed call {i}"}], stream=True
        )
        assert [chunk async for chunk in stream]
        await client.completions.create(model="text", prompt=f"complete call {i}")
        await client.embeddings.create(model="vectors", input=[f"embed call {i}", "twice"])
        predicted = await registry.post(f"/v1/deployments/{predictor}/predict", json={"features": [i, 2]})
        assert predicted.status_code == 200, predicted.text
    await client.close()


async def judge_n_rows(registry: httpx.AsyncClient, evaluation: httpx.AsyncClient) -> None:
    rows = "question,prediction\n" + "".join(f"q{i},answer {i}\n" for i in range(N))
    uploaded = await registry.post(
        "/v1/files", files={"file": ("judged.csv", rows.encode(), "text/csv")}, data={"purpose": "dataset"}
    )
    dataset = await registry.post("/v1/datasets", json={"file_id": uploaded.json()["id"], "name": "judged"})
    assert dataset.status_code == 201, dataset.text
    config = {"deployment": "judge", "prompt": "{{output}}", "labels": ["right", "wrong"], "pass_labels": ["right"]}
    criterion = await evaluation.post("/v1/criteria", json={"name": "judged", "type": "llm_judge", "config": config})
    assert criterion.status_code == 201, criterion.text
    run = {
        "dataset_id": dataset.json()["id"],
        "criterion_ids": [criterion.json()["id"]],
        "source": "predictions",
        "predictions_column": "prediction",
        "prompt_template": "{{question}}",
    }
    started = await evaluation.post("/v1/eval-runs", json=run)
    assert started.status_code in (201, 202), started.text
    deadline = time.monotonic() + 60
    while (finished := (await evaluation.get(f"/v1/eval-runs/{started.json()['id']}")).json())["status"] in (
        "queued",
        "running",
    ):
        assert time.monotonic() < deadline, finished
        await asyncio.sleep(0.5)
    assert (finished["status"], finished["rows_done"]) == ("succeeded", N), finished


async def logged(registry: httpx.AsyncClient, expected: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 20
    while True:
        rows: list[dict[str, Any]] = (await registry.get("/v1/inference-requests", params={"limit": 100})).json()[
            "data"
        ]
        if len(rows) >= expected or time.monotonic() > deadline:
            return rows
        await asyncio.sleep(0.3)


async def billed(billing: httpx.AsyncClient, settled: dict[str, int]) -> dict[str, dict[str, int]]:
    """Billing's summary per metric (quantity, events) once it holds ``settled`` ({metric: quantity}),
    and after a further wait, so a second meter arriving late would show."""
    deadline = time.monotonic() + 30
    while True:
        summary = (await billing.get("/v1/usage/summary")).json()
        lines = by_metric(summary)
        if all(lines.get(m, {}).get("quantity") == q for m, q in settled.items()) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(3)
    return by_metric((await billing.get("/v1/usage/summary")).json())


def by_metric(summary: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per metric: quantity, events and cost (minor units)."""
    return {
        x["metric"]: {"quantity": int(float(x["quantity"])), "events": x["events"], "cost": x["amount_minor"]}
        for x in summary["lines"]
    }


async def priced(billing: httpx.AsyncClient, service_token: str, user_id: str) -> None:
    """A book for the user: 5 minor units a call billed per call (http-json), 1 a token."""
    items = [
        {"metric": "inference.requests", "model": "per_unit", "unit_price": "5"},
        {"metric": "inference.tokens.input", "model": "per_unit", "unit_price": "1"},
        {"metric": "inference.tokens.output", "model": "per_unit", "unit_price": "1"},
    ]
    book = {"name": "metered", "currency": "USD", "user_id": user_id, "items": items}
    created = await billing.post("/v1/price-books", json=book, headers={"authorization": f"Bearer {service_token}"})
    assert created.status_code == 201, created.text


def chat_prompt(text: str) -> int:
    return 3 + 3 + count("user") + count(text)


async def test_n_calls_of_every_kind_are_billed_as_n_calls_and_each_token_once(
    platform: dict[str, str],
    firebase_emulator: FirebaseEmulator,
    model_server: ModelServer,
    mint_token: Callable[[dict[str, object]], str],
) -> None:
    token = await signed_in(platform, firebase_emulator)
    headers = {"authorization": f"Bearer {token}"}
    async with (
        httpx.AsyncClient(base_url=platform["registry"], headers=headers, timeout=30) as registry,
        httpx.AsyncClient(base_url=platform["evaluation"], headers=headers, timeout=30) as evaluation,
        httpx.AsyncClient(base_url=platform["billing"], headers=headers, timeout=30) as billing,
    ):
        user_id = (await registry.get("/v1/whoami")).json()["user_id"]
        await priced(billing, mint_token({"service": "registry"}), user_id)
        deployments = await deploy_all(registry, model_server)
        await call_every_kind(platform, token, registry, deployments["predictor"])
        await judge_n_rows(registry, evaluation)
        rows = await logged(registry, 6 * N)
        by_deployment = {name: [r for r in rows if r["deployment_id"] == id_] for name, id_ in deployments.items()}
        prompt = sum(r["prompt_tokens"] or 0 for r in rows)
        output = sum(r["completion_tokens"] or 0 for r in rows)
        lines = await billed(
            billing,
            {"inference.requests": N, "inference.tokens.input": prompt, "inference.tokens.output": output},
        )

    # registry logged each call once: N of every kind
    assert len(rows) == 6 * N
    kinds = Counter((r["deployment_id"], r["stream"]) for r in rows)
    assert sorted(kinds.values()) == [N] * 6
    assert all(r["status_code"] == 200 for r in rows)
    # billed tokens are the platform's count; the model server's own (word) counts are only logged beside
    plain = sorted(r["prompt_tokens"] for r in by_deployment["chat"] if not r["stream"])
    assert plain == sorted(chat_prompt(f"plain call {i}") for i in range(N))
    streamed = sorted(r["completion_tokens"] for r in by_deployment["chat"] if r["stream"])
    assert streamed == sorted(count(f"STREAMED CALL {i}") for i in range(N))
    assert all(r["upstream_prompt_tokens"] == 3 for r in by_deployment["chat"])
    texts = sorted(r["prompt_tokens"] for r in by_deployment["text"])
    assert texts == sorted(count(f"complete call {i}") for i in range(N))
    vectors = sorted((r["prompt_tokens"], r["completion_tokens"]) for r in by_deployment["vectors"])
    assert vectors == sorted((count(f"embed call {i}") + count("twice"), 0) for i in range(N))
    assert all(r["prompt_tokens"] is None for r in by_deployment["predictor"])
    assert len(by_deployment["judge"]) == N

    # billing: N per-call events (the predictions), each token-billed call once, each token once
    assert lines["inference.requests"] == {"quantity": N, "events": N, "cost": 5 * N}
    assert lines["inference.tokens.input"] == {"quantity": prompt, "events": 5 * N, "cost": prompt}
    # chat, stream, completions and judge calls generate output; embeddings none
    assert lines["inference.tokens.output"] == {"quantity": output, "events": 4 * N, "cost": output}
    assert lines["eval.rows"]["quantity"] == N
    assert "eval.judge.tokens" not in lines  # the judge's tokens are billed once, as inference

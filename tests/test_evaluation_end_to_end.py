"""An evaluation over the real platform: identity, registry and evaluation as processes, their workers,
and a model server on loopback as the deployment's upstream.

A signed-in user uploads a CSV to registry, makes it a dataset, registers a model version, deploys it
against the model server, and evaluates it with evaluation's native API and with the official
``openai`` client's Evals API. Evaluation's worker reads the rows from registry and calls the
deployment through registry's OpenAI-compatible API, as the user (a token identity minted for it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openai import OpenAI

from mlp.devtools.firebase_emulator import FirebaseEmulator
from mlp.devtools.model_server import ModelServer

# the model server answers a chat with the last user message upper-cased: two rows pass, one fails
CSV = b"question,answer\nhello,HELLO\nabc,ABC\nwrong,nope\n"


@pytest.fixture(scope="module")
def model_server() -> Iterator[ModelServer]:
    server = ModelServer().start()
    yield server
    server.stop()


async def signed_in(platform: dict[str, str], firebase_emulator: FirebaseEmulator) -> dict[str, str]:
    person = await firebase_emulator.create_user()
    async with httpx.AsyncClient(base_url=platform["identity"], timeout=10) as identity:
        answer = await identity.post("/v1/auth/sign-in", json={"id_token": person.id_token})
    assert answer.status_code == 201, answer.text
    return {"authorization": f"Bearer {answer.json()['platform_token']}"}


async def deployed_dataset(registry: httpx.AsyncClient, model_server: ModelServer, name: str) -> tuple[str, str, str]:
    """A dataset of CSV and a ready deployment named ``name``: (dataset id, deployment name, deployment id)."""
    uploaded = await registry.post(
        "/v1/files", files={"file": ("qa.csv", CSV, "text/csv")}, data={"purpose": "dataset"}
    )
    assert uploaded.status_code == 200, uploaded.text
    dataset = await registry.post("/v1/datasets", json={"file_id": uploaded.json()["id"], "name": f"qa-{name}"})
    assert dataset.status_code == 201, dataset.text
    model = await registry.post("/v1/registered-models", json={"name": f"upper-{name}"})
    assert model.status_code == 201, model.text
    version = await registry.post(
        f"/v1/registered-models/{model.json()['id']}/versions", json={"artifact_uri": "s3://m/1"}
    )
    assert version.status_code == 201, version.text
    deployment = await registry.post(
        "/v1/deployments",
        json={
            "name": name,
            "kind": "openai-chat",
            "model_version_id": version.json()["id"],
            "upstream_url": f"{model_server.url}/v1",
            "served_model": "test-model",  # the weights at s3://m/1, as the model server names them
        },
    )
    assert deployment.status_code == 201, deployment.text
    assert deployment.json()["status"] == "ready", deployment.text
    return dataset.json()["id"], name, deployment.json()["id"]


async def until_finished(evaluation: httpx.AsyncClient, run_id: str, within: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        run = (await evaluation.get(f"/v1/eval-runs/{run_id}")).json()
        if run["status"] in ("succeeded", "failed", "cancelled"):
            return run
        assert time.monotonic() < deadline, f"run still {run['status']} after {within}s"
        await asyncio.sleep(0.5)


async def logged_calls(registry: httpx.AsyncClient, deployment_id: str, expected: int, within: float = 15) -> int:
    """Calls registry logged for the deployment, once ``expected`` are there (the log is flushed in batches)."""
    deadline = time.monotonic() + within
    while True:
        page = (await registry.get("/v1/inference-requests", params={"limit": 100})).json()
        count = len([r for r in page["data"] if r["deployment_id"] == deployment_id])
        if count >= expected or time.monotonic() > deadline:
            return count
        await asyncio.sleep(0.3)


async def test_a_run_on_a_deployment_reads_registrys_rows_and_calls_the_model_as_the_user(
    platform: dict[str, str], firebase_emulator: FirebaseEmulator, model_server: ModelServer
) -> None:
    headers = await signed_in(platform, firebase_emulator)
    async with (
        httpx.AsyncClient(base_url=platform["registry"], headers=headers, timeout=30) as registry,
        httpx.AsyncClient(base_url=platform["evaluation"], headers=headers, timeout=30) as evaluation,
    ):
        dataset_id, deployment, deployment_id = await deployed_dataset(registry, model_server, "upper-native")
        criterion = await evaluation.post(
            "/v1/criteria", json={"name": "same", "type": "exact_match", "config": {"expected": "{{answer}}"}}
        )
        assert criterion.status_code == 201, criterion.text
        started = await evaluation.post(
            "/v1/eval-runs",
            json={
                "dataset_id": dataset_id,
                "criterion_ids": [criterion.json()["id"]],
                "source": "deployment",
                "deployment": deployment,
                "prompt_template": "{{question}}",
            },
        )
        assert started.status_code in (201, 202), started.text
        run = await until_finished(evaluation, started.json()["id"])
        results = (await evaluation.get(f"/v1/eval-runs/{run['id']}/results")).json()
        logged = await logged_calls(registry, deployment_id, expected=3)

    assert run["status"] == "succeeded", run
    assert (run["rows_done"], run["rows_total"]) == (3, 3)
    outputs = sorted(r["output"] for r in results["data"])
    assert outputs == ["ABC", "HELLO", "WRONG"]
    # every row went through registry's proxy, logged against the deployment
    assert logged == 3


async def test_the_openai_client_evaluates_a_deployment_through_the_evals_api(
    platform: dict[str, str], firebase_emulator: FirebaseEmulator, model_server: ModelServer
) -> None:
    headers = await signed_in(platform, firebase_emulator)
    async with httpx.AsyncClient(base_url=platform["registry"], headers=headers, timeout=30) as registry:
        dataset_id, deployment, _ = await deployed_dataset(registry, model_server, "upper-openai")
    client = OpenAI(base_url=f"{platform['evaluation']}/v1", api_key=headers["authorization"].removeprefix("Bearer "))
    created = client.evals.create(
        name="upper-case",
        data_source_config={
            "type": "custom",
            "item_schema": {"type": "object", "properties": {"question": {"type": "string"}}},
        },
        testing_criteria=[
            {
                "type": "string_check",
                "name": "same",
                "input": "{{sample.output_text}}",
                "reference": "{{item.answer}}",
                "operation": "eq",
            }
        ],
    )
    run = client.evals.runs.create(
        created.id,
        data_source={
            "type": "completions",
            "model": deployment,
            "source": {"type": "file_id", "id": dataset_id},
            "input_messages": {
                "type": "template",
                "template": [{"role": "user", "content": "{{item.question}}"}],
            },
        },
    )
    deadline = time.monotonic() + 60
    while run.status not in ("completed", "failed", "canceled"):
        assert time.monotonic() < deadline, f"run still {run.status}"
        await asyncio.sleep(0.5)
        run = client.evals.runs.retrieve(run.id, eval_id=created.id)

    assert run.status == "completed"
    assert (run.result_counts.passed, run.result_counts.failed, run.result_counts.total) == (2, 1, 3)
    items = list(client.evals.runs.output_items.list(run.id, eval_id=created.id))
    assert sorted(item.sample.output[0].content for item in items) == ["ABC", "HELLO", "WRONG"]


async def test_a_run_needs_the_scopes_it_uses_and_its_worker_acts_with_no_more(
    platform: dict[str, str], firebase_emulator: FirebaseEmulator, model_server: ModelServer
) -> None:
    """Issue 17: a key holding only evals scopes read dataset cells through a predictions run and
    called a deployment; now both runs are refused at creation and the model server sees no call."""
    session = await signed_in(platform, firebase_emulator)
    async with (
        httpx.AsyncClient(base_url=platform["registry"], headers=session, timeout=30) as registry,
        httpx.AsyncClient(base_url=platform["identity"], headers=session, timeout=30) as identity,
    ):
        dataset_id, deployment, _ = await deployed_dataset(registry, model_server, "upper-scoped")
        keys = {}
        for name, scopes in (
            ("evals", ["evals:*", "evals:read", "evals:write"]),
            ("reader", ["evals:*", "datasets:read"]),
        ):
            created = await identity.post("/v1/api-keys", json={"name": name, "scopes": scopes})
            assert created.status_code == 201, created.text
            keys[name] = {"authorization": f"Bearer {created.json()['secret']}"}
    calls_before = len(model_server.seen_models)  # inference calls only: the prober's GET /models may come meanwhile
    async with httpx.AsyncClient(base_url=platform["evaluation"], timeout=30) as evaluation:
        same = {"name": "same", "type": "exact_match", "config": {"expected": "{{answer}}"}}
        criterion = (await evaluation.post("/v1/criteria", json=same, headers=keys["evals"])).json()["id"]
        predictions = {"dataset_id": dataset_id, "criterion_ids": [criterion], "source": "predictions",
                       "predictions_column": "answer"}  # fmt: skip
        on_deployment = {"dataset_id": dataset_id, "criterion_ids": [criterion], "source": "deployment",
                         "deployment": deployment, "prompt_template": "{{question}}"}  # fmt: skip
        for key, body, field in (
            ("evals", predictions, "dataset_id"),
            ("evals", on_deployment, "dataset_id"),
            ("reader", on_deployment, "deployment"),
        ):
            refused = await evaluation.post("/v1/eval-runs", json=body, headers=keys[key])
            assert refused.status_code == 403, refused.text
            assert refused.json()["field"] == field

        allowed = await evaluation.post("/v1/eval-runs", json=predictions, headers=keys["reader"])
        assert allowed.status_code == 201, allowed.text
        evaluation.headers.update(keys["reader"])
        run = await until_finished(evaluation, allowed.json()["id"])
        assert (run["status"], run["rows_done"]) == ("succeeded", 3), run  # the worker's token read the rows
        assert [r["id"] for r in (await evaluation.get("/v1/eval-runs", headers=keys["evals"])).json()["data"]] == [
            run["id"]
        ]
    assert len(model_server.seen_models) == calls_before

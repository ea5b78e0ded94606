"""``/v1/eval-runs`` over HTTP on real PostgreSQL: start, execute (as the worker does), read back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec
from evaluation_fakes import FakeChatModel, FakeDatasetRows, FakeDeployments
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.common.contracts.events import UserDeleted
from mlp.common.runtime.database import plain_database_url
from mlp.evaluation.wiring import Gateways

Client = AsyncTestClient[Litestar]
Execute = Callable[[str], Any]


async def criterion(client: Client, headers: dict[str, str], kind: str, config: dict[str, Any]) -> str:
    body = {"name": f"{kind}-{uuid.uuid4().hex[:8]}", "type": kind, "config": config}
    response = await client.post("/v1/criteria", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def setup_model(gateways: Gateways, owner: uuid.UUID, answer: Callable[[str], str]) -> str:
    name = f"model-{uuid.uuid4().hex[:8]}"
    assert isinstance(gateways.chat, FakeChatModel)
    assert isinstance(gateways.deployments, FakeDeployments)
    gateways.chat.deployments[name] = answer
    gateways.deployments.add(owner, name)
    return name


def dataset(gateways: Gateways, owner: uuid.UUID, rows: list[dict[str, Any]]) -> str:
    assert isinstance(gateways.rows, FakeDatasetRows)
    return str(gateways.rows.add(owner, rows))


CAPITALS = [
    {"country": "France", "capital": "Paris"},
    {"country": "Spain", "capital": "Madrid"},
    {"country": "Italy", "capital": "Rome"},
    {"country": "Peru", "capital": "Lima"},
]


async def test_a_run_executes_and_reports_aggregates_results_and_comparisons(
    client: Client, user: Callable[..., Any], gateways: Gateways, execute_run: Execute
) -> None:
    me = user()
    data = dataset(gateways, me.id, CAPITALS)
    good = setup_model(gateways, me.id, lambda p: {"France": "Paris", "Spain": "Madrid"}.get(p, "Rome"))
    worse = setup_model(gateways, me.id, lambda p: "Paris" if p == "France" else "Berlin")
    exact = await criterion(client, me.headers, "exact_match", {"expected": "{{capital}}"})
    short = await criterion(client, me.headers, "regex", {"pattern": r"^\w{4,6}$"})
    body = {
        "dataset_id": data,
        "criterion_ids": [exact, short],
        "source": "deployment",
        "prompt_template": "{{country}}",
    }

    first = await client.post("/v1/eval-runs", json={**body, "deployment": good}, headers=me.headers)
    assert first.status_code == 201, first.text
    base = first.json()
    assert (base["status"], base["dataset_version"]) == ("queued", 1)
    await execute_run(base["id"])

    shown = (await client.get(f"/v1/eval-runs/{base['id']}", headers=me.headers)).json()
    assert (shown["status"], shown["rows_done"], shown["rows_total"]) == ("succeeded", 4, 4)
    per_criterion = {c["criterion_id"]: c for c in shown["aggregates"]["criteria"]}
    assert per_criterion[exact]["pass_rate"] == 0.75  # Peru -> Rome
    assert per_criterion[short]["pass_rate"] == 1.0
    assert shown["aggregates"]["latency_ms"]["p50"] is not None
    assert shown["aggregates"]["tokens"]["prompt"] == 4
    assert shown["aggregates"]["failures"] == [{"criterion_id": exact, "cause": "failed", "rows": 1}]

    failed = (await client.get(f"/v1/eval-runs/{base['id']}/results?failed_only=true", headers=me.headers)).json()
    assert [(r["row_number"], r["output"]) for r in failed["data"]] == [(4, "Rome")]
    paged = (await client.get(f"/v1/eval-runs/{base['id']}/results?limit=3", headers=me.headers)).json()
    assert ([r["row_number"] for r in paged["data"]], paged["has_more"], paged["next_after"]) == ([1, 2, 3], True, "3")

    second = (await client.post("/v1/eval-runs", json={**body, "deployment": worse}, headers=me.headers)).json()
    await execute_run(second["id"])
    compared = await client.get(f"/v1/eval-runs/compare?base={base['id']}&head={second['id']}", headers=me.headers)
    assert compared.status_code == 200, compared.text
    changes = {c["criterion_id"]: c for c in compared.json()["criteria"]}
    assert [r["row_number"] for r in changes[exact]["regressed"]] == [2, 3]
    assert changes[exact]["improved_count"] == 0
    assert compared.json()["summary"]["regressed"] == 2

    trend = (await client.get(f"/v1/criteria/{exact}/trend", headers=me.headers)).json()
    assert [(p["run_id"], p["pass_rate"]) for p in trend["points"]] == [(base["id"], 0.75), (second["id"], 0.25)]

    events = await client.get(f"/v1/eval-runs/{base['id']}/events", headers=me.headers)
    assert events.headers["content-type"].startswith("text/event-stream")
    assert "event: done" in events.text
    assert '"rows_done":4' in events.text


async def test_a_predictions_run_needs_no_deployment(
    client: Client, user: Callable[..., Any], gateways: Gateways, execute_run: Execute
) -> None:
    me = user()
    data = dataset(gateways, me.id, [{"expected": "4", "prediction": "4.01"}, {"expected": "9", "prediction": "x"}])
    close = await criterion(client, me.headers, "numeric_tolerance", {"expected": "{{expected}}", "absolute": 0.1})
    body = {"dataset_id": data, "criterion_ids": [close], "source": "predictions", "predictions_column": "prediction"}
    run = (await client.post("/v1/eval-runs", json=body, headers=me.headers)).json()
    await execute_run(run["id"])
    shown = (await client.get(f"/v1/eval-runs/{run['id']}", headers=me.headers)).json()
    assert shown["aggregates"]["criteria"][0]["pass_rate"] == 0.5


async def test_runs_on_what_is_not_mine_or_naming_missing_columns_are_refused(
    client: Client, user: Callable[..., Any], gateways: Gateways
) -> None:
    me, other = user(), user()
    mine = dataset(gateways, me.id, CAPITALS)
    theirs = dataset(gateways, other.id, CAPITALS)
    their_model = setup_model(gateways, other.id, lambda p: p)
    my_model = setup_model(gateways, me.id, lambda p: p)
    exact = await criterion(client, me.headers, "exact_match", {"expected": "{{capital}}"})
    base = {"criterion_ids": [exact], "source": "deployment", "prompt_template": "{{country}}"}
    unknown = str(uuid.uuid4())
    cases = [
        ({**base, "dataset_id": theirs, "deployment": my_model}, 404, "dataset_id"),
        ({**base, "dataset_id": mine, "deployment": their_model}, 404, "deployment"),
        ({**base, "dataset_id": mine, "deployment": my_model, "prompt_template": "{{city}}"}, 400, "prompt_template"),
        ({**base, "dataset_id": mine, "deployment": my_model, "criterion_ids": [unknown]}, 404, "criterion_ids"),
        ({**base, "dataset_id": mine}, 400, "deployment"),
        ({**base, "dataset_id": mine, "deployment": my_model, "max_tokens": 10**12}, 400, "max_tokens"),
    ]
    for body, status, field in cases:
        response = await client.post("/v1/eval-runs", json=body, headers=me.headers)
        assert (response.status_code, response.json().get("field")) == (status, field), response.text
    assert (await client.get("/v1/eval-runs", headers=me.headers)).json()["data"] == []


async def test_cancel_delete_and_another_users_run(
    client: Client, user: Callable[..., Any], gateways: Gateways
) -> None:
    me, other = user(), user()
    data = dataset(gateways, me.id, CAPITALS)
    model = setup_model(gateways, me.id, lambda p: p)
    exact = await criterion(client, me.headers, "exact_match", {"expected": "{{capital}}"})
    body = {"dataset_id": data, "criterion_ids": [exact], "source": "deployment", "deployment": model,
            "prompt_template": "{{country}}"}  # fmt: skip
    run = (await client.post("/v1/eval-runs", json=body, headers=me.headers)).json()
    path = f"/v1/eval-runs/{run['id']}"
    for method, suffix in (("GET", ""), ("POST", "/cancel"), ("DELETE", ""), ("GET", "/results"), ("GET", "/events")):
        assert (await client.request(method, path + suffix, headers=other.headers)).status_code == 404
    cancelled = await client.post(f"{path}/cancel", headers=me.headers)
    assert cancelled.json()["status"] == "cancelled"  # it was still queued
    assert (await client.delete(path, headers=me.headers)).status_code == 204
    assert (await client.get(path, headers=me.headers)).status_code == 404


async def test_user_deleted_removes_criteria_runs_and_results(
    client: Client, user: Callable[..., Any], gateways: Gateways, execute_run: Execute, database_url: str
) -> None:
    me = user()
    data = dataset(gateways, me.id, CAPITALS)
    model = setup_model(gateways, me.id, lambda p: p)
    exact = await criterion(client, me.headers, "exact_match", {"expected": "{{capital}}"})
    body = {"dataset_id": data, "criterion_ids": [exact], "source": "deployment", "deployment": model,
            "prompt_template": "{{country}}"}  # fmt: skip
    run = (await client.post("/v1/eval-runs", json=body, headers=me.headers)).json()
    await execute_run(run["id"])
    queued = (await client.post("/v1/eval-runs", json=body, headers=me.headers)).json()

    event = UserDeleted(event_id=uuid.uuid4(), user_id=me.id, deleted_at=datetime.now(UTC))
    identity = user(scopes="internal", service="identity")
    receipt = await client.post(
        "/internal/v1/events/user-deleted", content=msgspec.json.encode(event), headers=identity.headers
    )
    assert receipt.status_code == 200, receipt.text
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        left = await conn.fetchval(
            """SELECT (SELECT count(*) FROM evaluation.criterion_definitions WHERE user_id = $1)
                    + (SELECT count(*) FROM evaluation.eval_runs WHERE user_id = $1)
                    + (SELECT count(*) FROM evaluation.eval_row_results WHERE user_id = $1)""",
            me.id,
        )
    finally:
        await conn.close()
    assert left == 0
    assert (await client.get(f"/v1/eval-runs/{queued['id']}", headers=me.headers)).status_code == 404


async def test_a_run_deleted_while_it_runs_stops_its_worker_cleanly(
    client: Client, user: Callable[..., Any], gateways: Gateways, execute_run: Execute, database_url: str
) -> None:
    me = user()
    data = dataset(gateways, me.id, [{"country": f"c{i}", "capital": "x"} for i in range(200)])
    assert isinstance(gateways.chat, FakeChatModel)
    model = setup_model(gateways, me.id, lambda p: p)
    exact = await criterion(client, me.headers, "exact_match", {"expected": "{{capital}}"})
    body = {"dataset_id": data, "criterion_ids": [exact], "source": "deployment", "deployment": model,
            "prompt_template": "{{country}}"}  # fmt: skip
    run = (await client.post("/v1/eval-runs", json=body, headers=me.headers)).json()
    conn = await asyncpg.connect(plain_database_url(database_url))
    gateways.chat.delay = 0.01
    try:
        running = asyncio.create_task(execute_run(run["id"]))
        recorded = "SELECT count(*) FROM evaluation.eval_row_results WHERE run_id = $1"
        for _ in range(500):  # until some rows are recorded
            if await conn.fetchval(recorded, uuid.UUID(run["id"])):
                break
            await asyncio.sleep(0.01)
        # what the user.deleted purge does (the test loop stays free, unlike a call through the test client)
        await conn.execute("DELETE FROM evaluation.eval_runs WHERE id = $1", uuid.UUID(run["id"]))
        await asyncio.wait_for(running, timeout=10)  # ends, without an error
        assert await conn.fetchval(recorded, uuid.UUID(run["id"])) == 0
    finally:
        gateways.chat.delay = 0.0
        await conn.close()

"""OpenAI-compatible fine-tuning over HTTP: the real app in process on real PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from dataset_helpers import Client, create_dataset
from registry_fakes import RecordingOutbox
from registry_users import User
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.common.contracts.events import UserDeleted
from mlp.registry.adapters.db.tables import tune_jobs
from mlp.registry.app import purge_user

JOBS = "/v1/fine_tuning/jobs"
SCOPES = "models:* datasets:* files:* tune:*"
CHAT = json.dumps([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}])


def chat_csv(rows: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["messages"])
    writer.writerows([r] for r in rows)
    return out.getvalue().encode()


async def base_model(client: Client, me: User) -> str:
    name = f"base-{uuid.uuid4().hex[:8]}"
    model = (await client.post("/v1/registered-models", json={"name": name}, headers=me.headers)).json()
    version = await client.post(
        f"/v1/registered-models/{model['id']}/versions", json={"artifact_uri": "s3://b/m"}, headers=me.headers
    )
    assert version.status_code == 201, version.text
    return name


async def dataset(client: Client, me: User, data: bytes) -> str:
    created = await create_dataset(client, me, data, f"train-{uuid.uuid4().hex[:8]}")
    assert created.status_code == 201, created.text
    dataset_id: str = created.json()["id"]
    return dataset_id


async def new_job(client: Client, me: User, **extra: Any) -> Any:
    name = await base_model(client, me)
    training = await dataset(client, me, chat_csv([CHAT] * 12))
    body = {"model": f"{name}:1", "training_file": training, "suffix": "mine", **extra}
    return await client.post(JOBS, json=body, headers=me.headers)


async def test_create_answers_openai_job_and_queues_it(
    client: Client, new_user: Callable[..., User], outbox: RecordingOutbox, engine: AsyncEngine
) -> None:
    me = new_user(SCOPES)
    response = await new_job(client, me, hyperparameters={"n_epochs": 2})
    assert response.status_code == 200, response.text
    job = response.json()
    assert job["object"] == "fine_tuning.job"
    assert job["status"] == "validating_files"
    assert job["fine_tuned_model"] is None
    assert job["hyperparameters"] == {"n_epochs": 2, "batch_size": "auto", "learning_rate_multiplier": "auto"}
    assert job["organization_id"] == "org-mlp"
    assert job["result_files"] == []
    assert job["seed"] == 0
    assert isinstance(job["created_at"], int)
    payloads = [json.loads(p) for p in outbox.take_jobs("registry.run_tune_job")]
    assert {"job_id": job["id"], "user_id": str(me.id)} in payloads
    assert "tune_job.create" in outbox.actions(me.id)
    async with engine.connect() as conn:
        pinned = select(tune_jobs.c.training_dataset_version).where(tune_jobs.c.id == uuid.UUID(job["id"]))
        assert (await conn.execute(pinned)).scalar_one() == 1

    fetched = await client.get(f"{JOBS}/{job['id']}", headers=me.headers)
    assert fetched.json()["id"] == job["id"]
    listed = await client.get(JOBS, params={"limit": 1}, headers=me.headers)
    assert listed.json()["object"] == "list"
    assert [j["id"] for j in listed.json()["data"]] == [job["id"]]
    events = (await client.get(f"{JOBS}/{job['id']}/events", headers=me.headers)).json()
    assert events["object"] == "list"
    assert events["data"][0]["object"] == "fine_tuning.job.event"
    assert events["data"][0]["type"] == "message"


async def test_list_pages_with_after(client: Client, new_user: Callable[..., User]) -> None:
    me = new_user(SCOPES)
    first = (await new_job(client, me)).json()
    second = (await new_job(client, me)).json()
    page = (await client.get(JOBS, params={"limit": 1}, headers=me.headers)).json()
    assert [j["id"] for j in page["data"]] == [second["id"]]
    assert page["has_more"] is True
    rest = (await client.get(JOBS, params={"limit": 1, "after": second["id"]}, headers=me.headers)).json()
    assert [j["id"] for j in rest["data"]] == [first["id"]]
    assert rest["has_more"] is False


async def test_every_problem_of_the_examples_in_one_problem(client: Client, new_user: Callable[..., User]) -> None:
    me = new_user(SCOPES)
    name = await base_model(client, me)
    training = await dataset(client, me, chat_csv([CHAT, "not json", CHAT]))
    response = await client.post(JOBS, json={"model": f"{name}:1", "training_file": training}, headers=me.headers)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["field"] == "training_file"
    assert [p["code"] for p in problem["problems"]] == ["invalid-messages", "too-few-examples"]


async def test_missing_columns_and_bad_model_are_named(client: Client, new_user: Callable[..., User]) -> None:
    me = new_user(SCOPES)
    name = await base_model(client, me)
    training = await dataset(client, me, b"prompt,text\na,b\n")
    response = await client.post(JOBS, json={"model": f"{name}:1", "training_file": training}, headers=me.headers)
    assert response.status_code == 400
    assert response.json()["problems"][0]["code"] == "missing-columns"
    bad = await client.post(JOBS, json={"model": name, "training_file": training}, headers=me.headers)
    assert bad.status_code == 422
    assert bad.json()["field"] == "model"
    absent = await client.post(JOBS, json={"model": f"{name}:9", "training_file": training}, headers=me.headers)
    assert absent.status_code == 404


async def test_cancel_and_another_users_job_is_404(client: Client, new_user: Callable[..., User]) -> None:
    me = new_user(SCOPES)
    job = (await new_job(client, me)).json()
    cancelled = await client.post(f"{JOBS}/{job['id']}/cancel", headers=me.headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert isinstance(cancelled.json()["finished_at"], int)
    other = new_user(SCOPES)
    for method, path in (("GET", f"{JOBS}/{job['id']}"), ("POST", f"{JOBS}/{job['id']}/cancel")):
        assert (await client.request(method, path, headers=other.headers)).status_code == 404
    assert (await client.get(JOBS, headers=new_user("models:*").headers)).status_code == 403


async def test_user_purge_removes_tune_jobs_before_models(
    client: Client, new_user: Callable[..., User], engine: AsyncEngine, outbox: RecordingOutbox
) -> None:
    me = new_user(SCOPES)
    job = (await new_job(client, me)).json()
    event = UserDeleted(event_id=uuid.uuid4(), user_id=me.id, deleted_at=datetime.now(UTC))
    async with engine.begin() as conn:
        await purge_user(outbox)(conn, event)
    async with engine.connect() as conn:
        left = await conn.execute(select(func.count()).where(tune_jobs.c.id == uuid.UUID(job["id"])))
        assert left.scalar_one() == 0


async def upload_jsonl(client: Client, me: User, data: bytes) -> str:
    response = await client.post(
        "/v1/files",
        files={"file": ("train.jsonl", data, "application/jsonl")},
        data={"purpose": "fine-tune"},
        headers=me.headers,
    )
    assert response.status_code == 200, response.text
    file_id: str = response.json()["id"]
    return file_id


async def test_a_jsonl_file_of_mine_is_a_training_file(client: Client, new_user: Callable[..., User]) -> None:
    me = new_user(SCOPES)
    name = await base_model(client, me)
    line = json.dumps({"messages": json.loads(CHAT)}).encode()
    good = await upload_jsonl(client, me, b"\n".join([line] * 10) + b"\n")
    response = await client.post(JOBS, json={"model": f"{name}:1", "training_file": good}, headers=me.headers)
    assert response.status_code == 200, response.text
    assert response.json()["training_file"] == good
    bad = await upload_jsonl(client, me, line + b"\noops\n")
    refused = await client.post(
        JOBS, json={"model": f"{name}:1", "training_file": good, "validation_file": bad}, headers=me.headers
    )
    assert refused.status_code == 400
    assert [(p["field"], p["code"]) for p in refused.json()["problems"]] == [
        ("validation_file", "invalid-messages"),
        ("validation_file", "too-few-examples"),
    ]
    nobody = await client.post(
        JOBS, json={"model": f"{name}:1", "training_file": str(uuid.uuid4())}, headers=me.headers
    )
    assert nobody.status_code == 404
    assert nobody.json()["type"] == "urn:mlp:problem:file-not-found"


async def test_a_job_on_another_users_dataset_or_model_is_404(client: Client, new_user: Callable[..., User]) -> None:
    me, other = new_user(SCOPES), new_user(SCOPES)
    theirs_model = await base_model(client, other)
    theirs_data = await dataset(client, other, chat_csv([CHAT] * 12))
    mine_model = await base_model(client, me)
    mine_data = await dataset(client, me, chat_csv([CHAT] * 12))
    cases = (
        ({"model": f"{theirs_model}:1", "training_file": mine_data}, "model"),
        ({"model": f"{mine_model}:1", "training_file": theirs_data}, "training_file"),
        ({"model": f"{mine_model}:1", "training_file": mine_data, "validation_file": theirs_data}, "validation_file"),
    )
    for body, field in cases:
        refused = await client.post(JOBS, json=body, headers=me.headers)
        assert refused.status_code == 404, refused.text
        assert refused.json().get("field") == field, refused.text
    listed = await client.get(JOBS, headers=me.headers)
    assert listed.json()["data"] == []

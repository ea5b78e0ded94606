"""Fine-tune, then serve what was tuned, with the official openai client: the stand-in trainer's ``ft:``
model becomes servable by the stand-in model server (as in ``make run``), the tune job registers a
version naming it, the version is deployed and called, and the model server is asked for the ``ft:`` id."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import msgspec
import pytest
from openai import AsyncOpenAI
from serving_helpers import SCOPES, Registry, new_user
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.devtools.model_server import ModelServer
from mlp.devtools.tuning_server import TuningServer
from mlp.registry.adapters.db.outbox import registry_outbox
from mlp.registry.adapters.openai_trainer import OpenAITrainer
from mlp.registry.application.tune_ports import TUNE_JOB_ENTRYPOINT
from mlp.registry.tune_wiring import examples_reader, tune_runner

EXAMPLE = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "HI"}]}


@pytest.fixture
def stand_ins() -> Iterator[tuple[ModelServer, TuningServer]]:
    model = ModelServer().start()
    trainer = TuningServer(polls_to_finish=2, on_model=model.serve).start()
    yield model, trainer
    trainer.stop()
    model.stop()


async def run_queued_job(registry: Registry, engine: AsyncEngine, trainer_url: str, job_id: str) -> None:
    """What ``mlp worker registry`` does with the job the API queued."""
    async with engine.connect() as conn:
        payloads = (
            await conn.execute(
                text("SELECT payload FROM registry.pgqueuer WHERE entrypoint = :e"), {"e": TUNE_JOB_ENTRYPOINT}
            )
        ).scalars()
        (payload,) = [p for p in payloads if json.loads(p)["job_id"] == job_id]
    trainer = OpenAITrainer(trainer_url, "")
    state = registry.app.state
    examples = examples_reader(state.dataset_reads, state.files, 1024 * 1024)
    try:
        await tune_runner(engine, registry_outbox, trainer, examples, poll_seconds=0.01).run(payload)
    finally:
        await trainer.aclose()


async def test_fine_tune_then_deploy_the_new_version_and_call_it(
    registry: Registry, identity_url: str, engine: AsyncEngine, stand_ins: tuple[ModelServer, TuningServer]
) -> None:
    model_server, trainer = stand_ins
    user = await new_user(identity_url, registry.url, [*SCOPES, "datasets:write", "tune:write", "tune:read"])
    openai = AsyncOpenAI(base_url=f"{registry.url}/v1", api_key=user.api_key, max_retries=0)
    try:
        name = f"base-{uuid.uuid4().hex[:8]}"
        model = (await user.http.post("/v1/registered-models", json={"name": name})).json()
        versions = f"/v1/registered-models/{model['id']}/versions"
        base = await user.http.post(versions, json={"artifact_uri": "test-model"})
        assert base.status_code == 201, base.text
        jsonl = b"".join(msgspec.json.encode(EXAMPLE) + b"\n" for _ in range(12))
        training = await openai.files.create(file=("train.jsonl", jsonl), purpose="fine-tune")
        job = await openai.fine_tuning.jobs.create(model=f"{name}:1", training_file=training.id)
        await run_queued_job(registry, engine, trainer.url, job.id)
        tuned = await openai.fine_tuning.jobs.retrieve(job.id)
        assert (tuned.status, tuned.fine_tuned_model) == ("succeeded", f"{name}:2")
        version = (await user.http.get(f"{versions}/2")).json()
        ft_id = version["artifact_uri"]
        assert ft_id.startswith("ft:test-model:")

        body = {
            "name": "tuned",
            "kind": "openai-chat",
            "model_version_id": version["id"],
            "upstream_url": f"{model_server.url}/v1",
        }
        deployed = await user.http.post("/v1/deployments", json=body)
        assert deployed.status_code == 201, deployed.text
        assert (deployed.json()["status"], deployed.json()["served_model"]) == ("ready", ft_id)
        answer = await openai.chat.completions.create(model="tuned", messages=[{"role": "user", "content": "hi"}])
        assert answer.choices[0].message.content == "HI"
        assert answer.model == ft_id
        assert model_server.seen_models[-1] == ft_id
    finally:
        await user.http.aclose()

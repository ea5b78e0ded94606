"""The official ``openai`` package's fine-tuning client works against registry unchanged."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from dataset_helpers import Client
from openai import AsyncOpenAI, BadRequestError, NotFoundError
from registry_users import User
from test_fine_tuning_api import CHAT, SCOPES, base_model, chat_csv, dataset


async def test_openai_client_creates_lists_retrieves_cancels_and_lists_events(
    client: Client, new_user: Callable[..., User]
) -> None:
    me = new_user(SCOPES)
    token = me.headers["authorization"].removeprefix("Bearer ")
    openai = AsyncOpenAI(base_url=f"{client.base_url}/v1", api_key=token, http_client=client, max_retries=0)
    name = await base_model(client, me)
    training = await dataset(client, me, chat_csv([CHAT] * 12))

    job = await openai.fine_tuning.jobs.create(
        model=f"{name}:1", training_file=training, hyperparameters={"n_epochs": 3}, suffix="mine"
    )
    assert job.object == "fine_tuning.job"
    assert job.status == "validating_files"
    assert job.hyperparameters.n_epochs == 3
    listed = [j.id async for j in openai.fine_tuning.jobs.list(limit=10)]
    assert listed == [job.id]
    assert (await openai.fine_tuning.jobs.retrieve(job.id)).model == f"{name}:1"
    cancelled = await openai.fine_tuning.jobs.cancel(job.id)
    assert cancelled.status == "cancelled"
    events = [e.message async for e in openai.fine_tuning.jobs.list_events(job.id)]
    assert events == ["Job cancelled", "Examples validated; preparing the training files for the trainer"]

    with pytest.raises(NotFoundError):
        await openai.fine_tuning.jobs.retrieve(str(uuid.uuid4()))
    bad = await dataset(client, me, chat_csv(["not json"]))
    with pytest.raises(BadRequestError):
        await openai.fine_tuning.jobs.create(model=f"{name}:1", training_file=bad)

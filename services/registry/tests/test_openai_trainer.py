"""The OpenAI-compatible trainer adapter's edges, over httpx's MockTransport: a refusal is
TrainerRefused with OpenAI's message; ``find`` checks the metadata itself and pages with ``after``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from mlp.registry.adapters.openai_trainer import MAX_LIST_PAGES, METADATA_KEY, OpenAITrainer
from mlp.registry.application.tune_ports import TrainerRefused
from mlp.registry.domain.tune_jobs import TuneJob


def trainer(answer: Callable[[httpx.Request], httpx.Response]) -> OpenAITrainer:
    return OpenAITrainer("http://trainer", "sk", httpx.AsyncClient(transport=httpx.MockTransport(answer)))


async def test_a_refused_upload_is_trainer_refused_with_openais_message() -> None:
    error = {"error": {"message": "file is not JSONL", "type": "invalid_request_error"}}
    refusing = trainer(lambda request: httpx.Response(400, json=error))
    at = datetime.now(UTC)
    job = TuneJob(uuid.uuid4(), uuid.uuid4(), "m:1", uuid.uuid4(), "f", None, None, {}, None, "queued", at)
    with pytest.raises(TrainerRefused, match="400: file is not JSONL"):
        await refusing.start(job, "base-model", b"{}\n", None)


async def test_find_checks_the_metadata_and_pages_when_the_filter_is_ignored() -> None:
    mine = uuid.uuid4()
    asked: list[str | None] = []

    def pages(request: httpx.Request) -> httpx.Response:
        after = request.url.params.get("after")
        asked.append(after)
        number = int(after.removeprefix("ftjob-")) if after else 0
        job = {"id": f"ftjob-{number + 1}", "metadata": {METADATA_KEY: str(mine) if number == 2 else "other"}}
        return httpx.Response(200, json={"object": "list", "data": [job], "has_more": True})

    assert await trainer(pages).find(mine) == "ftjob-3"
    assert asked == [None, "ftjob-1", "ftjob-2"]
    asked.clear()
    assert await trainer(pages).find(uuid.uuid4()) is None
    assert len(asked) == MAX_LIST_PAGES

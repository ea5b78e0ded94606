"""The official ``openai`` client's ``evals`` and ``evals.runs`` against evaluation (in process)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import openai
import pytest
from evaluation_fakes import FakeChatModel, FakeDatasetRows, FakeDeployments
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.evaluation.wiring import Gateways

Execute = Callable[[str], Any]
CAPITALS = [("France", "Paris"), ("Spain", "Madrid"), ("Peru", "Lima")]
ANSWERS = {"France": "Paris", "Spain": "Madrid", "Peru": "Cusco"}
GRADERS: list[Any] = [
    {"type": "string_check", "name": "exact", "input": "{{sample.output_text}}", "reference": "{{item.capital}}",
     "operation": "eq"},
    {"type": "text_similarity", "name": "close", "input": "{{sample.output_text}}", "reference": "{{item.capital}}",
     "evaluation_metric": "fuzzy_match", "pass_threshold": 0.5},
]  # fmt: skip


def openai_client(client: AsyncTestClient[Litestar], headers: dict[str, str]) -> openai.AsyncOpenAI:
    """The SDK over the test client's transport (the app runs in the test client's event loop)."""
    token = headers["authorization"].removeprefix("Bearer ")
    return openai.AsyncOpenAI(base_url=f"{client.base_url}/v1", api_key=token, http_client=client, max_retries=0)


async def test_evals_and_runs_through_the_openai_client(
    client: AsyncTestClient[Litestar], user: Callable[..., Any], gateways: Gateways, execute_run: Execute
) -> None:
    me = user()
    assert isinstance(gateways.rows, FakeDatasetRows)
    assert isinstance(gateways.chat, FakeChatModel)
    assert isinstance(gateways.deployments, FakeDeployments)
    dataset = gateways.rows.add(me.id, [{"country": c, "capital": k} for c, k in CAPITALS])
    model = f"capitals-{uuid.uuid4().hex[:6]}"
    gateways.chat.deployments[model] = lambda prompt: ANSWERS[prompt]
    gateways.deployments.add(me.id, model)
    api = openai_client(client, me.headers)

    schema = {"type": "object", "properties": {"country": {"type": "string"}, "capital": {"type": "string"}}}
    created = await api.evals.create(
        name="capitals",
        data_source_config={"type": "custom", "item_schema": schema, "include_sample_schema": True},
        testing_criteria=GRADERS,
        metadata={"team": "geo"},
    )
    assert (created.object, created.name, created.metadata) == ("eval", "capitals", {"team": "geo"})
    assert (await api.evals.retrieve(created.id)).data_source_config.type == "custom"
    assert [e.id for e in (await api.evals.list()).data] == [created.id]
    assert (await api.evals.update(created.id, name="world capitals")).name == "world capitals"

    run = await api.evals.runs.create(
        created.id,
        name="first",
        data_source={
            "type": "completions",
            "source": {"type": "file_id", "id": str(dataset)},
            "model": model,
            "input_messages": {"type": "template", "template": [{"role": "user", "content": "{{item.country}}"}]},
        },
    )
    assert (run.object, run.status, run.eval_id) == ("eval.run", "queued", created.id)
    await execute_run(run.id)

    done = await api.evals.runs.retrieve(run.id, eval_id=created.id)
    assert done.status == "completed"
    assert (done.result_counts.total, done.result_counts.passed, done.result_counts.failed) == (3, 2, 1)
    per_grader = {r.testing_criteria: (r.passed, r.failed) for r in done.per_testing_criteria_results}
    assert per_grader == {"exact": (2, 1), "close": (2, 1)}  # Cusco vs Lima is not close either
    assert done.per_model_usage[0].invocation_count == 3

    items = await api.evals.runs.output_items.list(run.id, eval_id=created.id)
    assert [(i.datasource_item_id, i.status) for i in items.data] == [(1, "pass"), (2, "pass"), (3, "fail")]
    failing = await api.evals.runs.output_items.list(run.id, eval_id=created.id, status="fail")
    assert [i.sample.output[0].content for i in failing.data] == ["Cusco"]
    one = await api.evals.runs.output_items.retrieve("2", eval_id=created.id, run_id=run.id)
    assert {r.name: r.passed for r in one.results} == {"exact": True, "close": True}

    listed = await api.evals.runs.list(created.id)
    assert [r.id for r in listed.data] == [run.id]
    assert (await api.evals.runs.cancel(run.id, eval_id=created.id)).status == "completed"  # already over
    assert (await api.evals.runs.delete(run.id, eval_id=created.id)).deleted
    assert (await api.evals.delete(created.id)).deleted
    with pytest.raises(openai.NotFoundError):
        await api.evals.retrieve(created.id)


async def test_a_jsonl_file_run_judges_the_samples_in_the_file(
    client: AsyncTestClient[Litestar], user: Callable[..., Any], gateways: Gateways, execute_run: Execute
) -> None:
    me = user()
    assert isinstance(gateways.rows, FakeDatasetRows)
    lines = [{"capital": k, "sample.output_text": ANSWERS[c]} for c, k in CAPITALS]
    file_id = gateways.rows.add(me.id, lines, kind="file")
    api = openai_client(client, me.headers)
    created = await api.evals.create(
        name="samples",
        data_source_config={"type": "custom", "item_schema": {"type": "object"}, "include_sample_schema": True},
        testing_criteria=GRADERS[:1],
    )
    run = await api.evals.runs.create(
        created.id, data_source={"type": "jsonl", "source": {"type": "file_id", "id": str(file_id)}}
    )
    await execute_run(run.id)
    done = await api.evals.runs.retrieve(run.id, eval_id=created.id)
    assert (done.status, done.result_counts.passed, done.result_counts.total) == ("completed", 2, 3)


async def test_bad_graders_and_other_users_evals_are_refused(
    client: AsyncTestClient[Litestar], user: Callable[..., Any]
) -> None:
    me, other = user(), user()
    api = openai_client(client, me.headers)
    with pytest.raises(openai.BadRequestError) as bad:
        await api.evals.create(
            data_source_config={"type": "custom", "item_schema": {"type": "object"}},
            testing_criteria=[{**GRADERS[1], "evaluation_metric": "meteor"}],
        )
    assert isinstance(bad.value.body, dict)
    assert bad.value.body["field"] == "testing_criteria[0].evaluation_metric"
    mine = await api.evals.create(
        data_source_config={"type": "custom", "item_schema": {"type": "object"}}, testing_criteria=GRADERS
    )
    with pytest.raises(openai.NotFoundError):
        await openai_client(client, other.headers).evals.retrieve(mine.id)

"""The run executor with fakes: verdicts per row, bounded concurrency, timeouts, resume, cancel."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from evaluation_fakes import (
    FakeChatModel,
    FakeClock,
    FakeDatasetRows,
    FakeDeployments,
    FakeUserTokens,
    Store,
    fake_uow,
    wait_until,
)

from mlp.evaluation.application.check_runner import CheckRunner
from mlp.evaluation.application.criteria import Criteria, CriterionDraft
from mlp.evaluation.application.limits import ExecutionLimits
from mlp.evaluation.application.row_evaluation import RowEvaluator
from mlp.evaluation.application.run_executor import RunExecutor
from mlp.evaluation.application.runs import RunRequest, Runs
from mlp.evaluation.domain.errors import InvalidInput, NotFound
from mlp.evaluation.domain.runs import RunTarget

USER = uuid.uuid4()
ALL = ("*",)
"""The scopes of a signed-in user's session."""
LIMITS = ExecutionLimits(concurrency=4, row_timeout_seconds=0.5, flush_interval_seconds=0.01, page_size=7)


class World:
    def __init__(self, checks: CheckRunner, limits: ExecutionLimits = LIMITS) -> None:
        self.store = Store()
        self.clock = FakeClock()
        self.rows = FakeDatasetRows()
        self.model = FakeChatModel(owner=USER)
        self.model.deployments["echo"] = lambda prompt: prompt.removeprefix("Say: ")
        self.model.deployments["judge"] = lambda prompt: "correct" if "Paris" in prompt else "incorrect"
        self.tokens = FakeUserTokens()
        uow = fake_uow(self.store)
        self.criteria = Criteria(uow, self.clock)
        self.deployments = FakeDeployments()
        for name in ("echo", "judge"):
            self.deployments.add(USER, name)
        self.runs = Runs(uow, self.rows, self.deployments, self.tokens, self.clock)
        evaluator = RowEvaluator(self.model, checks, limits)
        self.executor = RunExecutor(uow, self.rows, evaluator, self.tokens, limits, self.clock)

    async def criterion(self, kind: str, config: dict[str, Any]) -> uuid.UUID:
        return (await self.criteria.create(USER, CriterionDraft(f"{kind}-{uuid.uuid4().hex[:6]}", kind, config))).id


def answers(n: int) -> list[dict[str, Any]]:
    return [{"q": f"{i}" if i % 3 else f'{{"n": {i}}}', "answer": str(i)} for i in range(1, n + 1)]


async def test_a_deployment_run_records_every_row_with_verdicts_tokens_and_usage(checks: CheckRunner) -> None:
    w = World(checks)
    dataset = w.rows.add(USER, answers(20))
    exact = await w.criterion("exact_match", {"expected": "{{answer}}"})
    valid_json = await w.criterion("json_valid", {})
    target = RunTarget("deployment", deployment="echo", prompt_template="Say: {{q}}")
    run = await w.runs.create(USER, ALL, RunRequest(dataset, (exact, valid_json), target))
    assert w.store.queued == [run.id]

    await w.executor.execute(run.id)

    done = w.store.runs[run.id]
    assert (done.status, done.total_rows, done.completed_rows, done.failed_rows) == ("succeeded", 20, 20, 0)
    results = {row: r for (rid, row), r in w.store.results.items() if rid == run.id}
    assert sorted(results) == list(range(1, 21))
    assert results[2].verdicts[str(exact)].passed
    assert results[2].verdicts[str(valid_json)].passed
    assert not results[3].verdicts[str(exact)].passed  # answered {"n": 3}
    assert results[3].prompt_tokens == 3
    assert results[3].latency_ms is not None
    assert sum(int(e.quantity) for e in w.store.usage if e.metric == "eval.rows") == 20
    assert len({e.event_id for e in w.store.usage}) == len(w.store.usage)
    assert [e.action for e in w.store.audit][-1] == "eval_run.succeeded"
    assert w.model.max_in_flight <= LIMITS.concurrency
    assert w.tokens.minted[-1] == (USER, ("datasets:read", "inference"))


async def test_a_predictions_run_calls_no_model_and_a_judges_tokens_are_recorded_but_left_to_registry_to_bill(
    checks: CheckRunner,
) -> None:
    w = World(checks)
    rows = [{"question": "Capital of France?", "prediction": p} for p in ("Paris", "Lyon", "Paris")]
    dataset = w.rows.add(USER, rows)
    judge = await w.criterion(
        "llm_judge",
        {
            "deployment": "judge",
            "prompt": "{{input}} -> {{output}}",
            "labels": ["correct", "incorrect"],
            "pass_labels": ["correct"],
        },
    )
    target = RunTarget("predictions", predictions_column="prediction", prompt_template="{{question}}")
    run = await w.runs.create(USER, ALL, RunRequest(dataset, (judge,), target))
    await w.executor.execute(run.id)
    verdicts = [w.store.results[(run.id, n)].verdicts[str(judge)] for n in (1, 2, 3)]
    assert [v.label for v in verdicts] == ["correct", "incorrect", "correct"]
    assert all(v.judge_tokens > 0 for v in verdicts)
    # the judge's calls went through registry's inference API, which meters them: billed there, once
    assert {e.metric for e in w.store.usage} == {"eval.rows"}


async def test_a_slow_row_times_out_alone_and_errors_are_recorded_by_cause(checks: CheckRunner) -> None:
    w = World(checks)
    w.model.hang_on = "hang"
    dataset = w.rows.add(USER, [{"q": "fine", "answer": "fine"}, {"q": "hang", "answer": "x"}])
    exact = await w.criterion("exact_match", {"expected": "{{answer}}"})
    run = await w.runs.create(USER, ALL, RunRequest(dataset, (exact,), RunTarget("deployment", "echo", "Say: {{q}}")))
    await w.executor.execute(run.id)
    slow = w.store.results[(run.id, 2)]
    assert (slow.error_type, slow.passed) == ("timeout", False)
    assert w.store.results[(run.id, 1)].passed
    assert (w.store.runs[run.id].completed_rows, w.store.runs[run.id].failed_rows) == (1, 1)


async def test_a_resumed_run_evaluates_only_the_rows_not_yet_recorded(checks: CheckRunner) -> None:
    w = World(checks)
    dataset = w.rows.add(USER, answers(30))
    exact = await w.criterion("exact_match", {"expected": "{{answer}}"})
    run = await w.runs.create(USER, ALL, RunRequest(dataset, (exact,), RunTarget("deployment", "echo", "Say: {{q}}")))
    w.model.delay = 0.005
    task = asyncio.create_task(w.executor.execute(run.id))
    await wait_until(lambda: len(w.store.results) >= 8)
    task.cancel()  # the worker dies mid-run
    with pytest.raises(asyncio.CancelledError):
        await task
    recorded_before = len(w.store.results)
    calls_before = w.model.calls
    assert w.store.runs[run.id].status == "running"

    await w.executor.execute(run.id)  # another worker takes the run up

    assert sorted(row for _, row in w.store.results) == list(range(1, 31))
    assert w.model.calls - calls_before <= 30 - recorded_before + LIMITS.concurrency
    assert w.store.runs[run.id].status == "succeeded"
    assert sum(int(e.quantity) for e in w.store.usage if e.metric == "eval.rows") == 30


async def test_cancel_stops_a_running_run_and_keeps_its_results(checks: CheckRunner) -> None:
    w = World(checks)
    dataset = w.rows.add(USER, answers(200))
    exact = await w.criterion("exact_match", {"expected": "{{answer}}"})
    run = await w.runs.create(USER, ALL, RunRequest(dataset, (exact,), RunTarget("deployment", "echo", "Say: {{q}}")))
    w.model.delay = 0.01
    task = asyncio.create_task(w.executor.execute(run.id))
    await wait_until(lambda: len(w.store.results) >= 10)
    await w.runs.cancel(USER, run.id)
    await asyncio.wait_for(task, timeout=2)
    cancelled = w.store.runs[run.id]
    assert cancelled.status == "cancelled"
    assert 10 <= len(w.store.results) < 200
    assert cancelled.completed_rows == len(w.store.results)


async def test_runs_are_refused_before_they_start(checks: CheckRunner) -> None:
    w = World(checks)
    other_user = uuid.uuid4()
    mine = w.rows.add(USER, answers(2))
    theirs = w.rows.add(other_user, answers(2))
    exact = await w.criterion("exact_match", {"expected": "{{answer}}"})
    echo = RunTarget("deployment", "echo", "Say: {{q}}")
    with pytest.raises(NotFound) as raised:
        await w.runs.create(USER, ALL, RunRequest(theirs, (exact,), echo))
    assert raised.value.field is None or raised.value.field == "dataset_id"
    with pytest.raises(InvalidInput) as bad_column:
        await w.runs.create(USER, ALL, RunRequest(mine, (exact,), RunTarget("deployment", "echo", "{{question}}")))
    assert bad_column.value.field == "prompt_template"
    wants_total = await w.criterion("numeric_tolerance", {"expected": "{{total}}", "absolute": 1})
    with pytest.raises(InvalidInput, match="total") as bad_criterion:
        await w.runs.create(USER, ALL, RunRequest(mine, (exact, wants_total), echo))
    assert bad_criterion.value.field == "criteria[1].config"
    with pytest.raises(NotFound) as no_deployment:
        await w.runs.create(USER, ALL, RunRequest(mine, (exact,), RunTarget("deployment", "gpt-x", "{{q}}")))
    assert no_deployment.value.field == "deployment"
    with pytest.raises(NotFound):
        await w.runs.create(USER, ALL, RunRequest(mine, (uuid.uuid4(),), echo))
    assert not w.store.runs
    assert not w.store.queued

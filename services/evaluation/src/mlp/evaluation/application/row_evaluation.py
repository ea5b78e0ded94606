"""One row of a run: its output (from the deployment or the predictions column), then every criterion."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlp.common.contracts.datasets import DatasetRow
from mlp.evaluation.application.check_runner import CheckRunner
from mlp.evaluation.application.limits import ExecutionLimits
from mlp.evaluation.application.upstream_ports import ChatModel, Completion, UpstreamError
from mlp.evaluation.domain.check_batch import CheckBatch
from mlp.evaluation.domain.checks import check, runs_apart
from mlp.evaluation.domain.criterion_types import CriterionConfig, LlmJudge
from mlp.evaluation.domain.judge import judge_prompt, read_judgement
from mlp.evaluation.domain.results import RowResult
from mlp.evaluation.domain.runs import EvalRun
from mlp.evaluation.domain.templates import as_text, render
from mlp.evaluation.domain.verdicts import Verdict

Criteria = list[tuple[str, str, CriterionConfig]]
"""(criterion id, kind, config) of each criterion of a run."""


@dataclass(frozen=True)
class PreparedRun:
    criteria: Criteria
    check_slots: asyncio.Semaphore
    """Batches of this run in the check processes at once: one run cannot queue ahead of the others."""


class RowEvaluator:
    """Judges rows on the event loop, except the CPU-heavy criteria, which go to the check runner."""

    def __init__(
        self,
        model: ChatModel,
        checks: CheckRunner,
        limits: ExecutionLimits,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._model = model
        self._checks = checks
        self._limits = limits
        self._monotonic = monotonic

    def prepare(self, run: EvalRun) -> PreparedRun:
        """The run's criteria parsed once, and its share of the check processes."""
        criteria = [(str(c.id), c.kind, c.parsed()) for c in run.criteria]
        return PreparedRun(criteria, asyncio.Semaphore(self._limits.check_batches_per_run))

    async def evaluate(self, run: EvalRun, prepared: PreparedRun, token: str, row: DatasetRow) -> RowResult:
        base = RowResult(run.id, run.user_id, row.row_number, row.values, None)
        try:
            async with asyncio.timeout(self._limits.row_timeout_seconds):
                return await self._evaluate(run, prepared, token, row)
        except TimeoutError:
            return _with_error(base, "timeout", f"row took longer than {self._limits.row_timeout_seconds:g} s")
        except UpstreamError as exc:
            return _with_error(base, exc.cause, exc.detail)

    async def _evaluate(self, run: EvalRun, prepared: PreparedRun, token: str, row: DatasetRow) -> RowResult:
        criteria = prepared.criteria
        target = run.target
        input_text = render(target.prompt_template, row.values) if target.prompt_template else as_text(row.values)
        latency_ms: int | None = None
        completion = Completion("")
        if target.source == "deployment":
            assert target.deployment is not None
            started = self._monotonic()
            completion = await self._model.complete(token, target.deployment, _messages(run, input_text), _options(run))
            latency_ms = max(0, round((self._monotonic() - started) * 1000))
            output = completion.content
        else:
            output = as_text(row.values.get(target.predictions_column or ""))
        verdicts = await self._apart(prepared, output, row)
        for criterion_id, kind, config in criteria:
            if isinstance(config, LlmJudge):
                verdicts[criterion_id] = await self._judge(config, token, row, input_text, output)
            elif criterion_id not in verdicts:
                verdicts[criterion_id] = check(kind, config, output, row.values, self._limits.checks)
        return RowResult(
            run.id,
            run.user_id,
            row.row_number,
            row.values,
            output,
            {criterion_id: verdicts[criterion_id] for criterion_id, _, _ in criteria},
            latency_ms,
            completion.prompt_tokens,
            completion.completion_tokens,
        )

    async def _apart(self, prepared: PreparedRun, output: str, row: DatasetRow) -> dict[str, Verdict]:
        apart = [(criterion_id, kind, config) for criterion_id, kind, config in prepared.criteria if runs_apart(config)]
        if not apart:
            return {}
        batch = CheckBatch(tuple((k, c) for _, k, c in apart), output, dict(row.values), self._limits.checks)
        async with prepared.check_slots:
            verdicts = await self._checks.judge(batch, self._limits.check_timeout_seconds)
        return {criterion_id: verdict for (criterion_id, _, _), verdict in zip(apart, verdicts, strict=True)}

    async def _judge(self, config: LlmJudge, token: str, row: DatasetRow, input_text: str, output: str) -> Verdict:
        prompt = judge_prompt(config, row.values, input_text, output)
        try:
            answer = await self._model.complete(token, config.deployment, [{"role": "user", "content": prompt}], {})
        except UpstreamError as exc:
            return Verdict.failed(f"judge_{exc.cause}")
        return read_judgement(config, answer.content, answer.prompt_tokens + answer.completion_tokens)


def _messages(run: EvalRun, prompt: str) -> list[dict[str, str]]:
    system = [{"role": "system", "content": run.target.system_prompt}] if run.target.system_prompt else []
    return [*system, {"role": "user", "content": prompt}]


def _options(run: EvalRun) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if run.target.max_tokens is not None:
        options["max_tokens"] = run.target.max_tokens
    if run.target.temperature is not None:
        options["temperature"] = run.target.temperature
    return options


def _with_error(result: RowResult, cause: str, detail: str) -> RowResult:
    return RowResult(
        result.run_id, result.user_id, result.row_number, result.input, None, error=detail, error_type=cause
    )

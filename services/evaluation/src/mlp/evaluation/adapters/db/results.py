"""Row results in ``evaluation.eval_row_results``: written once per (run, row number).

A batch is one ``INSERT ... SELECT FROM unnest(<one array per column>)``: a fixed statement
whatever the batch size (a multi-row VALUES of hundreds of rows costs more to build than to
run), ``ON CONFLICT DO NOTHING`` keeps rows a previous attempt wrote, and ``RETURNING`` tells
which rows this attempt wrote (only those are billed). Rows of a run deleted meanwhile (its user
was deleted) are dropped, and the worker's next heartbeat finds the run gone and stops.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.evaluation.adapters.db.tables import eval_row_results as table
from mlp.evaluation.domain.results import RowResult
from mlp.evaluation.domain.verdicts import Verdict

_INSERT = text("""
INSERT INTO evaluation.eval_row_results (run_id, user_id, row_number, input, output, verdicts, passed, latency_ms,
    prompt_tokens, completion_tokens, judge_tokens, error, error_type)
SELECT CAST(:run_id AS uuid), CAST(:user_id AS uuid), r.row_number, CAST(r.input AS jsonb), r.output,
    CAST(r.verdicts AS jsonb), r.passed, r.latency_ms, r.prompt_tokens, r.completion_tokens, r.judge_tokens, r.error,
    r.error_type
FROM unnest(CAST(:row_numbers AS int[]), CAST(:inputs AS text[]), CAST(:outputs AS text[]),
    CAST(:verdicts AS text[]), CAST(:passed AS bool[]), CAST(:latencies AS int[]), CAST(:prompt_tokens AS int[]),
    CAST(:completion_tokens AS int[]), CAST(:judge_tokens AS int[]), CAST(:errors AS text[]),
    CAST(:error_types AS text[]))
    AS r(row_number, input, output, verdicts, passed, latency_ms, prompt_tokens, completion_tokens, judge_tokens,
         error, error_type)
WHERE EXISTS (SELECT 1 FROM evaluation.eval_runs WHERE id = CAST(:run_id AS uuid))
ON CONFLICT ON CONSTRAINT uq_eval_row_results_run_row DO NOTHING
RETURNING row_number
""")
_encode = msgspec.json.Encoder().encode


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {
        "passed": verdict.passed,
        "score": verdict.score,
        "label": verdict.label,
        "error": verdict.error,
        "judge_tokens": verdict.judge_tokens,
    }


def _columns(results: Sequence[RowResult]) -> dict[str, Any]:
    return {
        "row_numbers": [r.row_number for r in results],
        "inputs": [_encode(r.input).decode() for r in results],
        "outputs": [r.output for r in results],
        "verdicts": [_encode({k: verdict_json(v) for k, v in r.verdicts.items()}).decode() for r in results],
        "passed": [r.passed for r in results],
        "latencies": [r.latency_ms for r in results],
        "prompt_tokens": [r.prompt_tokens for r in results],
        "completion_tokens": [r.completion_tokens for r in results],
        "judge_tokens": [r.judge_tokens for r in results],
        "errors": [r.error for r in results],
        "error_types": [r.error_type for r in results],
    }


class SqlResultRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_many(self, results: Sequence[RowResult]) -> list[RowResult]:
        written: set[tuple[uuid.UUID, int]] = set()
        runs: dict[tuple[uuid.UUID, uuid.UUID], list[RowResult]] = {}
        for result in results:
            runs.setdefault((result.run_id, result.user_id), []).append(result)
        for (run_id, user_id), batch in runs.items():
            params = {"run_id": str(run_id), "user_id": str(user_id), **_columns(batch)}
            written |= {(run_id, n) for n in (await self._conn.execute(_INSERT, params)).scalars()}
        return [r for r in results if (r.run_id, r.row_number) in written]

    async def done_rows(self, run_id: uuid.UUID) -> set[int]:
        query = select(table.c.row_number).where(table.c.run_id == run_id)
        return set((await self._conn.execute(query)).scalars())

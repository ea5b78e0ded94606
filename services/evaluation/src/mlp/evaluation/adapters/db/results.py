"""Row results in ``evaluation.eval_row_results``: written once per (run, row number)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.evaluation.adapters.db.tables import eval_row_results as table
from mlp.evaluation.domain.results import RowResult


def result_values(result: RowResult) -> dict[str, Any]:
    return {
        "run_id": result.run_id,
        "user_id": result.user_id,
        "row_number": result.row_number,
        "input": result.input,
        "output": result.output,
        "verdicts": {key: asdict(verdict) for key, verdict in result.verdicts.items()},
        "passed": result.passed,
        "latency_ms": result.latency_ms,
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
        "judge_tokens": result.judge_tokens,
        "error": result.error,
        "error_type": result.error_type,
    }


class SqlResultRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_many(self, results: Sequence[RowResult]) -> list[RowResult]:
        if not results:
            return []
        statement = (
            insert(table)
            .values([result_values(r) for r in results])
            .on_conflict_do_nothing(constraint="uq_eval_row_results_run_row")
            .returning(table.c.row_number)
        )
        written = set((await self._conn.execute(statement)).scalars())
        return [r for r in results if r.row_number in written]

    async def done_rows(self, run_id: uuid.UUID) -> set[int]:
        query = select(table.c.row_number).where(table.c.run_id == run_id)
        return set((await self._conn.execute(query)).scalars())

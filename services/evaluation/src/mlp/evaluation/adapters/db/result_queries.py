"""Reading results back: pages, aggregates, comparisons and trends, computed by PostgreSQL.

Per-criterion figures come from ``jsonb_each`` over each row's verdicts; percentiles are
``percentile_cont``. Everything is scoped by the run's owner, checked by the caller first.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.evaluation.adapters.db.tables import eval_row_results as results
from mlp.evaluation.domain.reports import (
    CriterionComparison,
    CriterionStats,
    FailureCause,
    ResultFilter,
    RowChange,
    RunAggregates,
    TrendPoint,
)
from mlp.evaluation.domain.results import RowResult
from mlp.evaluation.domain.verdicts import Verdict

_TOTALS = text("""
SELECT count(*) AS rows, count(*) FILTER (WHERE passed) AS passed_rows,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95,
       coalesce(sum(prompt_tokens), 0) AS prompt_tokens, coalesce(sum(completion_tokens), 0) AS completion_tokens,
       coalesce(sum(judge_tokens), 0) AS judge_tokens
FROM evaluation.eval_row_results WHERE run_id = :run
""")
_PER_CRITERION = text("""
SELECT v.key AS criterion_id, count(*) AS rows, count(*) FILTER (WHERE (v.value->>'passed')::boolean) AS passed,
       count(*) FILTER (WHERE v.value->>'error' IS NOT NULL) AS errors,
       avg((v.value->>'score')::float8) AS mean,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY (v.value->>'score')::float8) AS p50,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY (v.value->>'score')::float8) AS p95
FROM evaluation.eval_row_results r CROSS JOIN LATERAL jsonb_each(r.verdicts) v
WHERE r.run_id = :run GROUP BY v.key ORDER BY v.key
""")
_FAILURES = text("""
SELECT NULL AS criterion_id, error_type AS cause, count(*) AS rows
FROM evaluation.eval_row_results WHERE run_id = :run AND error_type IS NOT NULL GROUP BY error_type
UNION ALL
SELECT v.key, coalesce(v.value->>'error', 'failed'), count(*)
FROM evaluation.eval_row_results r CROSS JOIN LATERAL jsonb_each(r.verdicts) v
WHERE r.run_id = :run AND NOT (v.value->>'passed')::boolean GROUP BY 1, 2
ORDER BY rows DESC
""")
_COMPARE = text("""
SELECT v.key AS criterion_id, b.row_number,
       (bv.value->>'passed')::boolean AS base_passed, (v.value->>'passed')::boolean AS head_passed,
       (bv.value->>'score')::float8 AS base_score, (v.value->>'score')::float8 AS head_score
FROM evaluation.eval_row_results b
JOIN evaluation.eval_row_results h ON h.run_id = :head AND h.row_number = b.row_number
CROSS JOIN LATERAL jsonb_each(h.verdicts) v
JOIN LATERAL (SELECT b.verdicts -> v.key AS value) bv ON bv.value IS NOT NULL
WHERE b.run_id = :base ORDER BY v.key, b.row_number
""")
_TREND = text("""
SELECT r.id AS run_id, r.created_at, count(x.row_number) AS rows,
       count(*) FILTER (WHERE (x.verdicts -> :criterion ->> 'passed')::boolean) AS passed
FROM evaluation.eval_runs r JOIN evaluation.eval_row_results x ON x.run_id = r.id AND x.verdicts ? :criterion
WHERE r.user_id = :user AND r.deleted_at IS NULL
GROUP BY r.id, r.created_at ORDER BY r.created_at, r.id LIMIT :limit
""")


def _result(row: Any) -> RowResult:
    verdicts = {key: Verdict(**value) for key, value in row.verdicts.items()}
    return RowResult(
        row.run_id, row.user_id, row.row_number, row.input, row.output, verdicts, row.latency_ms,
        row.prompt_tokens, row.completion_tokens, row.error, row.error_type,
    )  # fmt: skip


class SqlResultQueries:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def page(self, run_id: uuid.UUID, where: ResultFilter) -> list[RowResult]:
        query = select(results).where(results.c.run_id == run_id, results.c.row_number > where.after_row)
        if where.criterion_id is not None:
            query = query.where(results.c.verdicts.has_key(where.criterion_id))
        if where.failed_only:
            if where.criterion_id is None:
                query = query.where(results.c.passed.is_(False))
            else:
                verdict = results.c.verdicts[where.criterion_id]["passed"].astext
                query = query.where(and_(verdict == "false"))
        if where.passed_only:
            query = query.where(results.c.passed.is_(True))
        query = query.order_by(results.c.row_number).limit(where.limit)
        return [_result(row) for row in await self._conn.execute(query)]

    async def aggregates(self, run_id: uuid.UUID) -> RunAggregates:
        params = {"run": run_id}
        totals = (await self._conn.execute(_TOTALS, params)).one()
        criteria = [
            CriterionStats(r.criterion_id, r.rows, r.passed, r.errors, r.mean, r.p50, r.p95)
            for r in await self._conn.execute(_PER_CRITERION, params)
        ]
        failures = [FailureCause(r.criterion_id, r.cause, r.rows) for r in await self._conn.execute(_FAILURES, params)]
        return RunAggregates(
            rows=totals.rows,
            passed_rows=totals.passed_rows,
            latency_p50_ms=totals.p50,
            latency_p95_ms=totals.p95,
            prompt_tokens=totals.prompt_tokens,
            completion_tokens=totals.completion_tokens,
            judge_tokens=totals.judge_tokens,
            criteria=criteria,
            failures=failures,
            errors_by_cause={f.cause: f.rows for f in failures if f.criterion_id is None},
        )

    async def compare(self, base: uuid.UUID, head: uuid.UUID, max_rows: int) -> list[CriterionComparison]:
        by_criterion: dict[str, list[Any]] = {}
        for row in await self._conn.execute(_COMPARE, {"base": base, "head": head}):
            by_criterion.setdefault(row.criterion_id, []).append(row)
        return [_comparison(criterion, rows, max_rows) for criterion, rows in by_criterion.items()]

    async def trend(self, user_id: uuid.UUID, criterion_id: uuid.UUID, limit: int) -> list[TrendPoint]:
        params = {"user": user_id, "criterion": str(criterion_id), "limit": limit}
        return [TrendPoint(r.run_id, r.created_at, r.rows, r.passed) for r in await self._conn.execute(_TREND, params)]


def _comparison(criterion_id: str, rows: list[Any], max_rows: int) -> CriterionComparison:
    regressed = [
        RowChange(r.row_number, r.base_score, r.head_score) for r in rows if r.base_passed and not r.head_passed
    ]
    improved = [
        RowChange(r.row_number, r.base_score, r.head_score) for r in rows if r.head_passed and not r.base_passed
    ]
    return CriterionComparison(
        criterion_id=criterion_id,
        compared_rows=len(rows),
        base_pass_rate=sum(1 for r in rows if r.base_passed) / len(rows),
        head_pass_rate=sum(1 for r in rows if r.head_passed) / len(rows),
        regressed_count=len(regressed),
        improved_count=len(improved),
        regressed=regressed[:max_rows],
        improved=improved[:max_rows],
    )

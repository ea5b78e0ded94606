"""Row results on real PostgreSQL: each (run, row number) is written once, whoever writes it again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from mlp.common.runtime.database import create_engine
from mlp.evaluation.adapters.db.unit_of_work import SqlUnitOfWork
from mlp.evaluation.adapters.outbox import QueueOutbox
from mlp.evaluation.domain.criteria import CriterionSnapshot
from mlp.evaluation.domain.results import RowResult
from mlp.evaluation.domain.runs import EvalRun, RunTarget
from mlp.evaluation.domain.verdicts import Verdict


async def test_a_batch_written_twice_is_recorded_once(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=2)
    user_id = uuid.uuid4()
    criterion = CriterionSnapshot(uuid.uuid4(), "c", "json_valid", {})
    run = EvalRun(uuid.uuid4(), user_id, None, uuid.uuid4(), 1, RunTarget("predictions", predictions_column="p"),
                  (criterion,), "running", datetime.now(UTC))  # fmt: skip
    verdicts = {str(criterion.id): Verdict(passed=True, score=1.0)}
    batch = [RowResult(run.id, user_id, n, {"p": "{}"}, "{}", verdicts) for n in (1, 2, 3)]
    try:
        async with SqlUnitOfWork(engine, QueueOutbox) as uow:
            await uow.runs.add(run)
            first = await uow.results.add_many(batch)
            again = await uow.results.add_many([*batch, RowResult(run.id, user_id, 4, {}, None, error="x")])
            done = await uow.results.done_rows(run.id)
            await uow.commit()
        assert [r.row_number for r in first] == [1, 2, 3]
        assert [r.row_number for r in again] == [4]  # only the new row: only it is billed
        assert done == {1, 2, 3, 4}
        async with SqlUnitOfWork(engine, QueueOutbox) as uow:
            assert await uow.runs.delete(user_id, run.id)
            late = await uow.results.add_many([RowResult(run.id, user_id, 5, {}, "x", verdicts)])
            await uow.commit()
        assert late == []  # a deleted run takes no more rows
    finally:
        await engine.dispose()

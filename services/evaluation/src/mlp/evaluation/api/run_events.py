"""``GET /v1/eval-runs/{id}/events``: a run's progress as server-sent events until it ends.

A ``progress`` event whenever the counts or the status change (looked at every
``progress_interval_seconds``), then one ``done`` event with the final state, and the stream
closes. The run is checked to be the caller's before the stream starts (404 otherwise).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import ServerSentEvent, ServerSentEventMessage

from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal
from mlp.evaluation.application.runs import Runs
from mlp.evaluation.domain.runs import EvalRun

MAX_STREAM_SECONDS = 24 * 3600.0


def _progress(run: EvalRun) -> bytes:
    return msgspec.json.encode(
        {
            "id": str(run.id),
            "status": run.status,
            "rows_total": run.total_rows,
            "rows_done": run.rows_done,
            "rows_failed": run.failed_rows,
            "error": run.error,
        }
    )


@get("/v1/eval-runs/{run_id:uuid}/events", tags=["eval-runs"], opt=requires_scopes("evals:read"))
async def run_events(
    request: Request[Principal, Any, Any], run_id: FromPath[uuid.UUID], runs: NamedDependency[Runs]
) -> ServerSentEvent:
    user_id = request.user.user_id
    first = await runs.get(user_id, run_id)
    interval: float = request.app.state.progress_interval_seconds

    async def events() -> AsyncIterator[ServerSentEventMessage]:
        run, last = first, b""
        for _ in range(int(MAX_STREAM_SECONDS / interval)):
            body = _progress(run)
            if run.finished:
                yield ServerSentEventMessage(data=body.decode(), event="done")
                return
            if body != last:
                yield ServerSentEventMessage(data=body.decode(), event="progress")
                last = body
            await asyncio.sleep(interval)
            run = await runs.get(user_id, run_id)

    return ServerSentEvent(events())

"""``GET /v1/eval-runs/{id}/events``: a run's progress as server-sent events until it ends.

A ``progress`` event whenever the counts or the status change (looked at every
``progress_interval_seconds``), then one ``done`` event with the final state, and the stream
closes. The run is checked to be the caller's before the stream starts (404 otherwise), and a
user has at most ``max_streams_per_user`` open on a replica (429 past it). While idle the stream
sends a ``: keep-alive`` comment every ``stream_heartbeat_seconds``. The caller's credential is
checked again every ``stream_credential_check_seconds``: once identity no longer accepts it
(revoked, or expired), the stream sends an ``error`` event and closes.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import ServerSentEvent, ServerSentEventMessage

from mlp.common.auth.errors import AuthError
from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal
from mlp.common.auth.resolver import CredentialResolver
from mlp.common.runtime.problems import Problem
from mlp.evaluation.api.progress_streams import ProgressStreams
from mlp.evaluation.application.runs import Runs
from mlp.evaluation.domain.runs import EvalRun

MAX_STREAM_SECONDS = 24 * 3600.0
KEEP_ALIVE = ServerSentEventMessage(data=None, comment="keep-alive")


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


async def _still_accepted(resolver: CredentialResolver, authorization: str) -> bool:
    try:
        return (resolver.known(authorization) or await resolver.resolve(authorization)) is not None
    except AuthError:
        return False


@get("/v1/eval-runs/{run_id:uuid}/events", tags=["eval-runs"], opt=requires_scopes("evals:read"))
async def run_events(
    request: Request[Principal, Any, Any], run_id: FromPath[uuid.UUID], runs: NamedDependency[Runs]
) -> ServerSentEvent:
    user_id = request.user.user_id
    first = await runs.get(user_id, run_id)
    streams: ProgressStreams = request.app.state.progress_streams
    resolver: CredentialResolver = request.app.state.resolver
    authorization = request.headers.get("authorization", "")
    if not streams.acquire(user_id):
        raise Problem(429, "too-many-streams", f"at most {streams.max_per_user} progress streams at once")

    async def events() -> AsyncIterator[ServerSentEventMessage]:
        try:
            run, last = first, b""
            started = sent = checked = time.monotonic()
            while time.monotonic() - started < MAX_STREAM_SECONDS:
                body = _progress(run)
                if run.finished:
                    yield ServerSentEventMessage(data=body.decode(), event="done")
                    return
                now = time.monotonic()
                if body != last:
                    yield ServerSentEventMessage(data=body.decode(), event="progress")
                    last, sent = body, now
                elif now - sent >= streams.heartbeat_seconds:
                    yield KEEP_ALIVE
                    sent = now
                await asyncio.sleep(streams.tick_seconds)
                if time.monotonic() - checked >= streams.credential_check_seconds:
                    if not await _still_accepted(resolver, authorization):
                        yield ServerSentEventMessage(data='{"detail":"credential no longer accepted"}', event="error")
                        return
                    checked = time.monotonic()
                run = await runs.get(user_id, run_id)
        finally:
            streams.release(user_id)

    return ServerSentEvent(events())

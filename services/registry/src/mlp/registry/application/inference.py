"""The inference proxy: route a call to its deployment's upstream, naming the model it serves, pass the
answer through, log every attempt.

Fallbacks (see ``inference_attempts``) fire only before a byte of the answer reached the client: a
plain call's answer is read whole first, a stream's first chunk is awaited before it is relayed.
Past that, a broken stream ends with an error event. Streams are handed to the caller chunk by chunk
(whole server-sent events) as the upstream sends them, and logged when they end.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from mlp.registry.application.inference_attempts import Attempt, AttemptLimits, Attempts, retryable
from mlp.registry.application.inference_calls import KIND_OF_ENDPOINT, UPSTREAM_PATH, Call
from mlp.registry.application.inference_log import InferenceLog
from mlp.registry.application.inference_metering import CallMeter, Tokens
from mlp.registry.application.inference_outcomes import (
    Answered,
    OpenedStream,
    Refused,
    answer_error,
    error_event,
    outcome,
    status_of,
)
from mlp.registry.application.inference_routes import DeploymentRoutes, Route
from mlp.registry.application.inference_tokens import StreamTokens, answer_tokens
from mlp.registry.application.serving_ports import UpstreamClient
from mlp.registry.application.upstream_errors import UpstreamError
from mlp.registry.domain.deployment_errors import InvalidDeployment
from mlp.registry.domain.deployments import Deployment
from mlp.registry.domain.inference import InferenceRecord


class InferenceProxy:
    def __init__(
        self,
        routes: DeploymentRoutes,
        upstream: UpstreamClient,
        log: InferenceLog,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        limits: AttemptLimits | None = None,
        meter: CallMeter | None = None,
    ) -> None:
        self._routes = routes
        self._upstream = upstream
        self._log = log
        self._clock = clock
        self._limits = limits or AttemptLimits()
        self._meter = meter or CallMeter()

    async def route(self, call: Call, name: str | None = None, deployment_id: uuid.UUID | None = None) -> Route:
        """The deployment serving the call; 404 / 400 (wrong kind) / not serving (its status) as domain errors."""
        if deployment_id is not None:
            route = await self._routes.by_id(call.user_id, deployment_id)
        else:
            route = await self._routes.by_name(call.user_id, name or "")
        deployment = route.deployment
        if deployment.kind != KIND_OF_ENDPOINT[call.endpoint]:
            raise InvalidDeployment(
                "model", f"deployment '{deployment.name}' is {deployment.kind}: it does not serve {call.endpoint}"
            )
        deployment.check_serving()
        return route

    async def deployment(self, user_id: uuid.UUID, name: str) -> Deployment:
        return (await self._routes.by_name(user_id, name)).deployment

    async def answer(self, call: Call, route: Route) -> Answered:
        """The first answer not worth a fallback, else the last one; raises the last attempt's error."""
        failure: Answered | UpstreamError | None = None
        async for attempt in Attempts(self._routes, route, call.user_id, call.started, self._limits):
            body = call.body.naming(attempt.served_model)
            try:
                reply = await self._upstream.call(attempt.target, UPSTREAM_PATH.get(call.endpoint, ""), body)
            except UpstreamError as exc:
                await self._record(call, attempt, status_of(exc), None, str(exc))
                failure = exc
                continue
            if reply.status_code >= 400:
                await self._record(call, attempt, reply.status_code, reply.upstream_ms, answer_error(reply.status_code))
                if retryable(reply.status_code):
                    failure = Answered(attempt, reply)
                    continue
                return Answered(attempt, reply)
            tokens = answer_tokens(reply.body)
            await self._record(call, attempt, reply.status_code, reply.upstream_ms, None, tokens, answer=reply.body)
            return Answered(attempt, reply)
        return outcome(failure)

    async def open_stream(self, call: Call, route: Route) -> OpenedStream | Refused:
        """The first stream that answered 200 and sent its first chunk (nothing relayed yet), else the
        first refusal not worth a fallback or the last one; raises the last attempt's error."""
        failure: Refused | UpstreamError | None = None
        async for attempt in Attempts(self._routes, route, call.user_id, call.started, self._limits):
            body = call.body.naming(attempt.served_model)
            try:
                stream = await self._upstream.open_stream(attempt.target, UPSTREAM_PATH[call.endpoint], body)
            except UpstreamError as exc:
                await self._record(call, attempt, status_of(exc), None, str(exc), stream=True)
                failure = exc
                continue
            status, upstream_ms = stream.status_code, stream.first_byte_ms
            if status >= 400:
                try:
                    refused = Refused(attempt, status, await stream.read())
                except UpstreamError:
                    refused = Refused(attempt, status, b"")
                await stream.aclose()
                await self._record(call, attempt, status, upstream_ms, answer_error(status), stream=True)
                if retryable(status):
                    failure = refused
                    continue
                return refused
            chunks = stream.chunks().__aiter__()
            try:
                first = await anext(chunks, b"")
            except UpstreamError as exc:
                await stream.aclose()
                await self._record(call, attempt, status_of(exc), upstream_ms, f"stream broken: {exc}", stream=True)
                failure = exc
                continue
            return OpenedStream(attempt, stream, first, chunks)
        return outcome(failure)

    async def relay(self, call: Call, opened: OpenedStream) -> AsyncIterator[bytes]:
        """Whole events as they arrive; a stream broken after its first byte ends with an error event.
        Logs the call (its text kept for counting) once it ends."""
        tokens = StreamTokens(hide_usage=call.hide_usage)
        error: str | None = None
        try:
            if passed := tokens.feed(opened.first):
                yield passed
            async for chunk in opened.rest:
                if passed := tokens.feed(chunk):
                    yield passed
            if rest := tokens.rest():
                yield rest
        except UpstreamError as exc:
            error = f"stream broken: {exc}"
            yield error_event(exc)
        finally:
            stream = opened.stream
            await stream.aclose()
            status, totals = stream.status_code, tokens.totals()
            await self._record(
                call, opened.attempt, status, stream.first_byte_ms, error, totals, True, streamed=tokens.text()
            )

    async def _record(
        self,
        call: Call,
        attempt: Attempt,
        status: int,
        upstream_ms: float | None,
        error: str | None,
        tokens: Tokens = (None, None),
        stream: bool = False,
        answer: bytes = b"",
        streamed: str | None = None,
    ) -> None:
        """``tokens``: the upstream's own figures, logged beside the billed ones the meter decides."""
        billed: Tokens = (None, None)
        to_count = None
        if status < 400:
            received = call.body.received
            billed, to_count = self._meter.billed(attempt.target.url, call.endpoint, tokens, received, answer, streamed)
        await self._log.add(
            InferenceRecord(
                id=uuid.uuid4(),
                request_id=call.request_id,
                user_id=call.user_id,
                deployment_id=attempt.deployment.id,
                model_version_id=attempt.version.version_id,
                api_key_id=call.api_key_id,
                endpoint=call.endpoint,
                stream=stream,
                status_code=status,
                latency_ms=(time.perf_counter() - call.started) * 1000,
                upstream_latency_ms=upstream_ms,
                prompt_tokens=billed[0],
                completion_tokens=billed[1],
                error=error,
                created_at=self._clock(),
                upstream_prompt_tokens=tokens[0],
                upstream_completion_tokens=tokens[1],
                attempt=attempt.number,
                fallback_from=attempt.fallback_from,
            ),
            to_count,
        )

"""The inference proxy: route a call to its deployment's upstream, pass the answer through, log the call.

Bodies travel as bytes (never re-encoded); streams are handed to the caller chunk by chunk as
the upstream sends them, and the call is logged when the stream ends (or the client leaves).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from mlp.registry.application.inference_log import InferenceLog
from mlp.registry.application.inference_metering import CallMeter, Tokens
from mlp.registry.application.inference_routes import DeploymentRoutes, Route
from mlp.registry.application.inference_tokens import StreamTokens, answer_tokens
from mlp.registry.application.serving_ports import UpstreamClient, UpstreamReply, UpstreamStream
from mlp.registry.application.upstream_errors import UpstreamError, UpstreamTimeout
from mlp.registry.domain.deployment_errors import InvalidDeployment, InvalidTransition
from mlp.registry.domain.deployments import Deployment
from mlp.registry.domain.inference import Endpoint, InferenceRecord

KIND_OF_ENDPOINT = {
    "chat.completions": "openai-chat",
    "completions": "openai-completions",
    "embeddings": "openai-embeddings",
    "predict": "http-json",
}
UPSTREAM_PATH = {"chat.completions": "/chat/completions", "completions": "/completions", "embeddings": "/embeddings"}


@dataclass(frozen=True)
class Call:
    """One inference call as the API hands it over."""

    user_id: uuid.UUID
    api_key_id: uuid.UUID | None
    request_id: str
    endpoint: Endpoint
    body: bytes
    started: float
    """``time.perf_counter()`` when the request arrived."""
    hide_usage: bool = False
    """The body asks the upstream for a stream's usage the client did not ask for (see StreamTokens)."""


class InferenceProxy:
    def __init__(
        self,
        routes: DeploymentRoutes,
        upstream: UpstreamClient,
        log: InferenceLog,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        meter: CallMeter | None = None,
    ) -> None:
        self._routes = routes
        self._upstream = upstream
        self._log = log
        self._clock = clock
        self._meter = meter or CallMeter()

    async def route(self, call: Call, name: str | None = None, deployment_id: uuid.UUID | None = None) -> Route:
        """The deployment serving the call; 404 / 400 (wrong kind) / 409 (stopped) as domain errors."""
        if deployment_id is not None:
            route = await self._routes.by_id(call.user_id, deployment_id)
        else:
            route = await self._routes.by_name(call.user_id, name or "")
        deployment = route.deployment
        if deployment.kind != KIND_OF_ENDPOINT[call.endpoint]:
            raise InvalidDeployment(
                "model", f"deployment '{deployment.name}' is {deployment.kind}: it does not serve {call.endpoint}"
            )
        if deployment.status == "stopped":
            raise InvalidTransition(f"deployment '{deployment.name}' is stopped")
        return route

    async def deployment(self, user_id: uuid.UUID, name: str) -> Deployment:
        return (await self._routes.by_name(user_id, name)).deployment

    async def answer(self, call: Call, route: Route) -> UpstreamReply:
        try:
            reply = await self._upstream.call(route.target, UPSTREAM_PATH.get(call.endpoint, ""), call.body)
        except UpstreamError as exc:
            await self._record(call, route, 504 if isinstance(exc, UpstreamTimeout) else 502, None, str(exc))
            raise
        tokens = answer_tokens(reply.body) if reply.status_code < 400 else (None, None)
        error = None if reply.status_code < 400 else f"upstream answered {reply.status_code}"
        await self._record(call, route, reply.status_code, reply.upstream_ms, error, tokens, answer=reply.body)
        return reply

    async def open_stream(self, call: Call, route: Route) -> UpstreamStream:
        try:
            return await self._upstream.open_stream(route.target, UPSTREAM_PATH[call.endpoint], call.body)
        except UpstreamError as exc:
            await self._record(call, route, 504 if isinstance(exc, UpstreamTimeout) else 502, None, str(exc))
            raise

    async def stream_failed(self, call: Call, route: Route, stream: UpstreamStream) -> None:
        """The upstream refused the streamed call (status >= 400): log it."""
        await self._record(
            call, route, stream.status_code, stream.first_byte_ms, f"upstream answered {stream.status_code}"
        )

    async def relay(self, call: Call, route: Route, stream: UpstreamStream) -> AsyncIterator[bytes]:
        """The stream's chunks as they arrive; logs the call (its text kept for counting) once it ends."""
        tokens = StreamTokens(hide_usage=call.hide_usage)
        error: str | None = None
        try:
            async for chunk in stream.chunks():
                passed = tokens.feed(chunk)
                if passed:
                    yield passed
            if rest := tokens.rest():
                yield rest
        except UpstreamError as exc:
            error = f"stream broken: {exc}"
        finally:
            await stream.aclose()
            status, totals = stream.status_code, tokens.totals()
            await self._record(call, route, status, stream.first_byte_ms, error, totals, True, streamed=tokens.text())

    async def _record(
        self,
        call: Call,
        route: Route,
        status: int,
        upstream_ms: float | None,
        error: str | None,
        tokens: Tokens = (None, None),
        stream: bool = False,
        answer: bytes = b"",
        streamed: str | None = None,
    ) -> None:
        """``tokens``: the upstream's own figures, logged beside the billed ones the meter decides."""
        deployment = route.deployment
        billed: Tokens = (None, None)
        to_count = None
        if status < 400:
            billed, to_count = self._meter.billed(route.target.url, call.endpoint, tokens, call.body, answer, streamed)
        await self._log.add(
            InferenceRecord(
                id=uuid.uuid4(),
                request_id=call.request_id,
                user_id=call.user_id,
                deployment_id=deployment.id,
                model_version_id=deployment.serves.version_id,
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
            ),
            to_count,
        )

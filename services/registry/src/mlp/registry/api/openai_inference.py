"""OpenAI-compatible inference: ``/v1/chat/completions``, ``/v1/completions``, ``/v1/embeddings``, ``/v1/models``,
and ``/v1/deployments/{id}/predict`` for http-json deployments. ``model`` is the deployment's name.

The upstream is asked for the deployment's served model (only ``model`` of the body changes) and
its answers are passed back as bytes, ``model`` included; ``stream: true`` relays the upstream's
server-sent events as they arrive. A predict body is forwarded as received.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import structlog
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Stream

from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal
from mlp.common.runtime.service_app import state_dependencies
from mlp.common.runtime.spend_limits import refuse_spending_past_limit
from mlp.registry.api.openai_bodies import read_request
from mlp.registry.api.openai_errors import OPENAI_ERROR_HANDLERS, upstream_failure
from mlp.registry.api.openai_views import ModelList, ModelView
from mlp.registry.application.deployments import Deployments
from mlp.registry.application.inference import InferenceProxy
from mlp.registry.application.inference_bodies import RequestBody
from mlp.registry.application.inference_calls import Call
from mlp.registry.application.inference_outcomes import Refused
from mlp.registry.domain.inference import Endpoint

INFERENCE = requires_scopes("inference")
SSE_HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}


def _call(
    request: Request[Principal, Any, Any],
    endpoint: Endpoint,
    body: RequestBody,
    started: float,
    hide_usage: bool = False,
) -> Call:
    return Call(
        user_id=request.user.user_id,
        api_key_id=request.user.api_key_id,
        request_id=str(structlog.contextvars.get_contextvars().get("request_id", "")),
        endpoint=endpoint,
        body=body,
        started=started,
        hide_usage=hide_usage,
    )


async def _proxy(
    proxy: NamedDependency[InferenceProxy],
    call: Call,
    stream: bool,
    name: str | None = None,
    deployment_id: uuid.UUID | None = None,
) -> Response[Any]:
    route = await proxy.route(call, name, deployment_id)
    if stream:
        opened = await proxy.open_stream(call, route)
        if isinstance(opened, Refused):
            raise upstream_failure(opened.status_code, opened.body)
        media_type = opened.stream.content_type
        return Stream(proxy.relay(call, opened), media_type=media_type, headers=SSE_HEADERS)
    reply = (await proxy.answer(call, route)).reply
    if reply.status_code >= 400:
        raise upstream_failure(reply.status_code, reply.body)
    return Response(reply.body, media_type=reply.content_type)


class OpenAIInferenceController(Controller):
    path = "/v1"
    tags = ["openai-inference"]
    dependencies = state_dependencies("inference_proxy", "deployments")
    exception_handlers = OPENAI_ERROR_HANDLERS

    @post("/chat/completions", opt=INFERENCE, status_code=200, summary="OpenAI chat completions (model = deployment)")
    async def chat(
        self, request: Request[Principal, Any, Any], inference_proxy: NamedDependency[InferenceProxy]
    ) -> Response[Any]:
        return await self._openai(request, inference_proxy, "chat.completions")

    @post("/completions", opt=INFERENCE, status_code=200, summary="OpenAI completions (model = deployment)")
    async def completions(
        self, request: Request[Principal, Any, Any], inference_proxy: NamedDependency[InferenceProxy]
    ) -> Response[Any]:
        return await self._openai(request, inference_proxy, "completions")

    @post("/embeddings", opt=INFERENCE, status_code=200, summary="OpenAI embeddings (model = deployment)")
    async def embeddings(
        self, request: Request[Principal, Any, Any], inference_proxy: NamedDependency[InferenceProxy]
    ) -> Response[Any]:
        return await self._openai(request, inference_proxy, "embeddings")

    @post(
        "/deployments/{deployment_id:uuid}/predict",
        opt=INFERENCE,
        status_code=200,
        summary="Call an http-json deployment (the JSON body is passed through)",
    )
    async def predict(
        self,
        deployment_id: FromPath[uuid.UUID],
        request: Request[Principal, Any, Any],
        inference_proxy: NamedDependency[InferenceProxy],
    ) -> Response[Any]:
        started = time.perf_counter()
        await refuse_spending_past_limit(request)  # a user at their hard spend limit: 429 insufficient_quota
        call = _call(request, "predict", RequestBody(await request.body()), started)
        return await _proxy(inference_proxy, call, False, deployment_id=deployment_id)

    @get("/models", opt=INFERENCE, summary="My deployments, as OpenAI lists models")
    async def models(
        self, request: Request[Principal, Any, Any], deployments: NamedDependency[Deployments]
    ) -> ModelList:
        page = await deployments.page(request.user.user_id, 1000, None)
        return ModelList(data=[ModelView.of(d) for d in page.items])

    @get("/models/{name:path}", opt=INFERENCE, summary="One deployment, as OpenAI shows a model")
    async def model(
        self,
        name: FromPath[str],
        request: Request[Principal, Any, Any],
        inference_proxy: NamedDependency[InferenceProxy],
    ) -> ModelView:
        return ModelView.of(await inference_proxy.deployment(request.user.user_id, name.lstrip("/")))

    @staticmethod
    async def _openai(
        request: Request[Principal, Any, Any], proxy: NamedDependency[InferenceProxy], endpoint: Endpoint
    ) -> Response[Any]:
        started = time.perf_counter()
        await refuse_spending_past_limit(request)  # a user at their hard spend limit: 429 insufficient_quota
        read = read_request(await request.body(), endpoint)
        call = _call(request, endpoint, read.body, started, hide_usage=read.hide_usage)
        return await _proxy(proxy, call, read.stream, read.model)

"""The inference proxy on fakes: routing rules, bytes forwarded untouched, every outcome logged."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace

import pytest
from registry_fakes import (
    FakeClock,
    FakeUpstreamStream,
    InMemoryServingUoW,
    RecordingLogWriter,
    ReversibleSecretBox,
    ScriptedUpstream,
)

from mlp.registry.adapters.tiktoken_counter import TiktokenCounter
from mlp.registry.application.inference import InferenceProxy
from mlp.registry.application.inference_bodies import RequestBody
from mlp.registry.application.inference_calls import Call
from mlp.registry.application.inference_log import InferenceLog
from mlp.registry.application.inference_metering import TokenMeter
from mlp.registry.application.inference_outcomes import OpenedStream
from mlp.registry.application.inference_routes import DeploymentRoutes
from mlp.registry.application.upstream_errors import UpstreamTimeout
from mlp.registry.domain.deployment_errors import DeploymentNotFound, InvalidDeployment, NotServing
from mlp.registry.domain.deployments import Deployment, ModelVersionRef, Timeouts
from mlp.registry.domain.inference import Endpoint, InferenceRecord

USER = uuid.uuid4()
BODY = b'{"model":"chat","messages":[{"role":"user","content":"hi"}],"extra":{"kept":true}}'


class World:
    def __init__(self) -> None:
        self.clock = FakeClock()
        self.uow = InMemoryServingUoW()
        self.upstream = ScriptedUpstream()
        self.writer = RecordingLogWriter()
        self.log = InferenceLog(self.writer, flush_interval_seconds=3600, settle=TokenMeter(TiktokenCounter()).settle)
        routes = DeploymentRoutes(self.uow, ReversibleSecretBox(), ttl_seconds=60)
        self.proxy = InferenceProxy(routes, self.upstream, self.log, self.clock)
        self.deployment = Deployment(
            id=uuid.uuid4(),
            user_id=USER,
            name="chat",
            kind="openai-chat",
            serves=ModelVersionRef(uuid.uuid4(), uuid.uuid4(), 3),
            upstream_url="http://models.internal/v1",
            has_credential=True,
            timeouts=Timeouts(1, 5),
            status="ready",
            status_detail=None,
            created_at=self.clock.now,
            updated_at=self.clock.now,
        )
        self.uow.deployments.rows[self.deployment.id] = self.deployment
        self.uow.deployments.credentials[self.deployment.id] = b"sealed:sk-up"

    def call(self, endpoint: Endpoint = "chat.completions") -> Call:
        return Call(USER, None, "req-1", endpoint, RequestBody(BODY), time.perf_counter())

    async def logged(self) -> list[InferenceRecord]:
        await self.log.close()
        return list(self.writer.records)


async def test_the_body_goes_upstream_byte_for_byte_with_the_credential_and_the_call_is_logged() -> None:
    world = World()
    route = await world.proxy.route(world.call(), "chat")
    assert route.target.credential == "sk-up"
    reply = (await world.proxy.answer(world.call(), route)).reply
    assert reply.status_code == 200
    assert world.upstream.sent == [("http://models.internal/v1", "/chat/completions", BODY)]
    (record,) = await world.logged()
    assert record.model_version_id == world.deployment.serves.version_id
    # billed: counted by the platform (3 + 3 per message + "user" + "hi"; the answer has no text);
    # the upstream's own figures beside them
    assert (record.prompt_tokens, record.completion_tokens) == (8, 0)
    assert (record.upstream_prompt_tokens, record.upstream_completion_tokens) == (2, 4)


async def test_unknown_wrong_kind_and_stopped_deployments_are_refused_before_the_upstream() -> None:
    world = World()
    with pytest.raises(DeploymentNotFound):
        await world.proxy.route(world.call(), "nope")
    with pytest.raises(InvalidDeployment) as wrong:
        await world.proxy.route(world.call("embeddings"), "chat")
    assert wrong.value.field == "model"
    world.uow.deployments.rows[world.deployment.id] = replace(world.deployment, status="stopped")
    fresh = InferenceProxy(DeploymentRoutes(world.uow, ReversibleSecretBox()), world.upstream, world.log)
    with pytest.raises(NotServing):
        await fresh.route(world.call(), "chat")
    assert world.upstream.sent == []


async def test_an_upstream_timeout_is_logged_as_504() -> None:
    world = World()
    world.upstream.error = UpstreamTimeout("the model server did not answer in time")
    route = await world.proxy.route(world.call(), "chat")
    with pytest.raises(UpstreamTimeout):
        await world.proxy.answer(world.call(), route)
    (record,) = await world.logged()
    assert (record.status_code, record.error) == (504, "the model server did not answer in time")


async def test_a_relayed_stream_passes_chunks_through_and_logs_counted_tokens_even_when_broken() -> None:
    world = World()
    chunks = [
        b'data: {"choices":[{"delta":{"content":"A"}}]}\n\n',
        b'data: {"choices":[{"delta":{"content":" B"}}]}\n\n',
    ]
    world.upstream.stream = FakeUpstreamStream(200, chunks, broken=True)
    route = await world.proxy.route(world.call(), "chat")
    opened = await world.proxy.open_stream(world.call(), route)
    assert isinstance(opened, OpenedStream)
    relayed = [chunk async for chunk in world.proxy.relay(world.call(), opened)]
    assert relayed[:2] == chunks
    assert relayed[2].startswith(b'data: {"error":')
    assert world.upstream.stream.closed
    (record,) = await world.logged()
    assert (record.stream, record.prompt_tokens, record.completion_tokens) == (True, 8, 2)
    assert record.error == "stream broken: the model server could not be reached"

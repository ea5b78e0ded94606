"""Billed tokens rest on numbers the platform controls: counted by it unless a trusted provider reported
them, the upstream's own figures logged beside; a call with no token to bill is billed as one call."""

from __future__ import annotations

import time
import uuid

from registry_fakes import FakeClock, InMemoryServingUoW, RecordingLogWriter, ReversibleSecretBox, ScriptedUpstream

from mlp.common.contracts.usage import INFERENCE_REQUESTS, INFERENCE_TOKENS_INPUT, INFERENCE_TOKENS_OUTPUT
from mlp.registry.adapters.tiktoken_counter import TiktokenCounter
from mlp.registry.application.inference import Call, InferenceProxy
from mlp.registry.application.inference_bodies import RequestBody
from mlp.registry.application.inference_log import InferenceLog
from mlp.registry.application.inference_metering import CallMeter, TokenMeter, UpstreamTrust
from mlp.registry.application.inference_routes import DeploymentRoutes
from mlp.registry.application.serving_ports import UpstreamReply
from mlp.registry.domain.deployments import Deployment, ModelVersionRef, Timeouts
from mlp.registry.domain.inference import Endpoint

USER = uuid.uuid4()
CHAT = b'{"model":"m","messages":[{"role":"user","content":"hi"}]}'
CLAIM = b'"usage":{"prompt_tokens":1000000,"completion_tokens":1000000}'
ANSWER = b'{"choices":[{"message":{"role":"assistant","content":"HI"}}],' + CLAIM + b"}"


async def metered(url: str, endpoint: Endpoint, body: bytes, reply: bytes, trusted: tuple[str, ...] = ()) -> tuple:
    """One call through the proxy to a deployment at ``url``: (the logged record, its usage events)."""
    clock, uow, upstream, writer = FakeClock(), InMemoryServingUoW(), ScriptedUpstream(), RecordingLogWriter()
    kind = "http-json" if endpoint == "predict" else "openai-chat"
    deployment = Deployment(
        id=uuid.uuid4(),
        user_id=USER,
        name="d",
        kind=kind,
        serves=ModelVersionRef(uuid.uuid4(), uuid.uuid4(), 1),
        upstream_url=url,
        has_credential=False,
        timeouts=Timeouts(1, 5),
        status="ready",
        status_detail=None,
        created_at=clock.now,
        updated_at=clock.now,
    )
    uow.deployments.rows[deployment.id] = deployment
    uow.deployments.credentials[deployment.id] = None
    upstream.reply = UpstreamReply(200, reply, "application/json", 1.0)
    log = InferenceLog(writer, flush_interval_seconds=3600, settle=TokenMeter(TiktokenCounter()).settle)
    meter = CallMeter(UpstreamTrust(trusted))
    proxy = InferenceProxy(DeploymentRoutes(uow, ReversibleSecretBox()), upstream, log, clock, meter=meter)
    call = Call(USER, None, "req", endpoint, RequestBody(body), time.perf_counter())
    await proxy.answer(call, await proxy.route(call, "d"))
    await log.close()
    (record,) = writer.records
    return record, [(e.metric, int(e.quantity)) for e in writer.usage]


async def test_a_users_own_server_claiming_a_million_tokens_is_billed_what_the_platform_counted() -> None:
    record, usage = await metered("http://my-own-server.example/v1", "chat.completions", CHAT, ANSWER)
    # 3 primed + 3 per message + "user" + "hi" in; "HI" out
    assert usage == [(INFERENCE_TOKENS_INPUT, 8), (INFERENCE_TOKENS_OUTPUT, 1)]
    assert (record.upstream_prompt_tokens, record.upstream_completion_tokens) == (1_000_000, 1_000_000)


async def test_a_trusted_providers_reported_usage_bills_as_it_is() -> None:
    record, usage = await metered(
        "https://api.openai.com/v1", "chat.completions", CHAT, ANSWER, trusted=("api.openai.com",)
    )
    assert usage == [(INFERENCE_TOKENS_INPUT, 1_000_000), (INFERENCE_TOKENS_OUTPUT, 1_000_000)]
    assert (record.prompt_tokens, record.upstream_prompt_tokens) == (1_000_000, 1_000_000)


async def test_a_trusted_provider_that_reports_no_usage_is_counted() -> None:
    answer = b'{"choices":[{"message":{"role":"assistant","content":"HI"}}]}'
    _, usage = await metered("https://api.openai.com/v1", "chat.completions", CHAT, answer, trusted=("api.openai.com",))
    assert usage == [(INFERENCE_TOKENS_INPUT, 8), (INFERENCE_TOKENS_OUTPUT, 1)]


async def test_a_prediction_without_usage_is_billed_as_one_call_and_its_claimed_tokens_never() -> None:
    _, usage = await metered("http://models.example/predict", "predict", b'{"x":1}', b'{"prediction":1}')
    assert usage == [(INFERENCE_REQUESTS, 1)]
    record, usage = await metered(
        "http://models.example/predict", "predict", b'{"x":1}', b'{"usage":{"prompt_tokens":50}}'
    )
    assert usage == [(INFERENCE_REQUESTS, 1)]
    assert (record.prompt_tokens, record.upstream_prompt_tokens) == (None, 50)


def test_only_named_hosts_over_https_are_trusted() -> None:
    trust = UpstreamTrust(["api.openai.com", " API.Mistral.ai ", ""])
    assert trust.trusts("https://api.openai.com/v1")
    assert trust.trusts("https://API.OPENAI.COM:443/v1")
    assert trust.trusts("https://api.mistral.ai/v1")
    assert not trust.trusts("http://api.openai.com/v1")  # anyone on the path could answer
    assert not trust.trusts("https://api.openai.com.evil.example/v1")
    assert not trust.trusts("https://evil.example/api.openai.com")
    assert not trust.trusts("https://user@evil.example/v1")
    assert not UpstreamTrust().trusts("https://api.openai.com/v1")  # none by default

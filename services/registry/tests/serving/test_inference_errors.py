"""How the proxy fails: OpenAI's error shape, 504 on upstream timeouts, 502 without leaking the upstream,
400 naming the field, 429 from the key's quota, and the http-json predict endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from openai import APIStatusError, AsyncOpenAI
from serving_helpers import Registry, User, deploy, new_user
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.devtools.model_server import ModelServer

CHAT = {"messages": [{"role": "user", "content": "hi"}]}


def assert_openai_error(body: dict[str, Any], code: str, param: str | None = None) -> None:
    assert set(body) == {"error"}
    assert {"message", "type", "code"} <= set(body["error"])
    assert body["error"]["code"] == code
    if param is not None:
        assert body["error"]["param"] == param


async def test_upstream_timeout_is_504_and_upstream_failure_is_502_without_its_url(
    user: User, engine: AsyncEngine
) -> None:
    flaky = ModelServer().start()
    try:
        await deploy(user, engine, f"{flaky.url}/v1", name="flaky", timeout_seconds=1.0)
        flaky.latency_seconds = 2.5
        slow = await user.http.post("/v1/chat/completions", json={"model": "flaky", **CHAT})
        assert slow.status_code == 504
        assert_openai_error(slow.json(), "upstream_timeout")
        flaky.latency_seconds = 0.0
        flaky.fail_status = 500
        broken = await user.http.post("/v1/chat/completions", json={"model": "flaky", **CHAT})
        assert broken.status_code == 502
        assert_openai_error(broken.json(), "upstream_error")
        assert flaky.url not in broken.text
        assert "127.0.0.1" not in broken.text
        streamed = await user.http.post("/v1/chat/completions", json={"model": "flaky", "stream": True, **CHAT})
        assert streamed.status_code == 502
    finally:
        flaky.stop()
    gone = await user.http.post("/v1/chat/completions", json={"model": "flaky", **CHAT})
    assert gone.status_code == 502
    assert_openai_error(gone.json(), "upstream_unavailable")


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": "x"}]}, "model"),
        ("/v1/chat/completions", {"model": "bodies"}, "messages"),
        ("/v1/chat/completions", {"model": "bodies", "messages": "hello"}, "messages"),
        ("/v1/chat/completions", {"model": 42, **CHAT}, "model"),
        ("/v1/completions", {"model": "bodies", "prompt": "x"}, "model"),  # a chat deployment
        ("/v1/embeddings", {"model": "bodies", "input": "x", "stream": True}, "stream"),
    ],
)
async def test_a_body_the_kind_does_not_accept_is_400_naming_the_field(
    user: User, engine: AsyncEngine, model_server: ModelServer, path: str, body: dict[str, Any], param: str
) -> None:
    await deploy(user, engine, f"{model_server.url}/v1", name="bodies")
    before = model_server.requests
    refused = await user.http.post(path, json=body)
    assert refused.status_code == 400, refused.text
    assert_openai_error(refused.json(), "invalid_value", param)
    assert model_server.requests == before  # nothing reached the upstream


async def test_unknown_deployment_is_404_in_openai_shape(user: User) -> None:
    missing = await user.http.post("/v1/chat/completions", json={"model": "nope", **CHAT})
    assert missing.status_code == 404
    assert_openai_error(missing.json(), "model_not_found", "model")


async def test_a_key_without_the_inference_scope_is_403(
    identity_url: str, registry: Registry, engine: AsyncEngine, model_server: ModelServer
) -> None:
    reader = await new_user(identity_url, registry.url, ["models:read"])
    refused = await reader.http.post("/v1/chat/completions", json={"model": "x", **CHAT})
    assert refused.status_code == 403
    assert refused.json()["error"]["type"] == "permission_error"
    await reader.http.aclose()


async def test_over_quota_is_429_with_retry_after(
    identity_url: str, registry: Registry, engine: AsyncEngine, model_server: ModelServer
) -> None:
    limited = await new_user(identity_url, registry.url, ["models:write", "inference"], requests_per_minute=3)
    await deploy(limited, engine, f"{model_server.url}/v1", name="quota")  # one request of the three
    openai = AsyncOpenAI(base_url=f"{registry.url}/v1", api_key=limited.api_key, max_retries=0)
    messages: Any = CHAT["messages"]
    await openai.chat.completions.create(model="quota", messages=messages)
    await openai.chat.completions.create(model="quota", messages=messages)
    with pytest.raises(APIStatusError) as over:
        await openai.chat.completions.create(model="quota", messages=messages)
    assert over.value.status_code == 429
    assert int(over.value.response.headers["retry-after"]) >= 1
    assert over.value.response.json()["error"]["type"] == "rate_limit_error"
    await limited.http.aclose()


async def test_predict_passes_json_through_to_an_http_json_deployment(
    user: User, engine: AsyncEngine, model_server: ModelServer
) -> None:
    deployment = await deploy(user, engine, f"{model_server.url}/predict", kind="http-json")
    assert deployment["status"] == "ready"
    answer = await user.http.post(f"/v1/deployments/{deployment['id']}/predict", json={"features": [1, 2.5]})
    assert answer.status_code == 200
    assert answer.json() == {"prediction": {"features": [1, 2.5]}}
    chat = await deploy(user, engine, f"{model_server.url}/v1")
    wrong = await user.http.post(f"/v1/deployments/{chat['id']}/predict", json={})
    assert wrong.status_code == 400


@pytest.mark.parametrize("status", [500, 400])
async def test_an_upstream_error_never_shows_its_address_or_credential_in_any_form(
    user: User, engine: AsyncEngine, status: int
) -> None:
    secret = "sk-upstream-secret-123"
    leaky = ModelServer(api_key=secret).start()
    port = leaky.url.rsplit(":", 1)[1]
    try:
        # the deployment names its upstream by host name; the message also gives the resolved IP
        await deploy(user, engine, f"http://localhost:{port}/v1", name="leaky", upstream_api_key=secret)
        leaky.fail_status = status
        leaky.fail_message = (
            f"failed at http://localhost:{port}/v1/chat/completions (http://localhost:{port}, localhost:{port},"
            f" 127.0.0.1:{port}, [::ffff:127.0.0.1]) with key {secret} / Bearer%20{secret}"
        )
        for stream in (False, True):
            answer = await user.http.post("/v1/chat/completions", json={"model": "leaky", "stream": stream, **CHAT})
            assert answer.status_code == (502 if status == 500 else 400)
            assert_openai_error(answer.json(), "upstream_error" if status == 500 else "boom")
            assert f"the model server answered {status}" in answer.json()["error"]["message"]
            for leak in ("localhost", "127.0.0.1", port, secret, "failed at"):
                assert leak not in answer.text
    finally:
        leaky.stop()

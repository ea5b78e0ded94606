"""registry's OpenAI-compatible chat completions (``model`` = deployment name) over HTTP.

Only what evaluation reads of the answer is decoded (content and usage), with msgspec: at
thousands of rows a second the decoding is a visible share of a worker's time.
"""

from __future__ import annotations

from typing import Any

import httpx
import msgspec

from mlp.evaluation.application.upstream_ports import Completion, UpstreamError

CHAT_PATH = "/v1/chat/completions"
MODEL_PATH = "/v1/models/{name}"


class _Message(msgspec.Struct):
    content: str | None = None


class _Choice(msgspec.Struct):
    message: _Message


class _Usage(msgspec.Struct):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class _ChatAnswer(msgspec.Struct):
    choices: list[_Choice]
    usage: _Usage | None = None


_decode = msgspec.json.Decoder(_ChatAnswer).decode
_encode = msgspec.json.Encoder().encode
_CAUSES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "deployment_not_found", 429: "rate_limited"}


class HttpChatModel:
    def __init__(self, http: httpx.AsyncClient, registry_url: str) -> None:
        self._http = http
        self._url = registry_url.rstrip("/") + CHAT_PATH

    async def complete(
        self, token: str, model: str, messages: list[dict[str, str]], options: dict[str, Any]
    ) -> Completion:
        body = _encode({"model": model, "messages": messages, **options})
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        try:
            response = await self._http.post(self._url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise UpstreamError("timeout", f"{model} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise UpstreamError("upstream_unreachable", f"{model}: {exc}") from exc
        if not response.is_success:
            cause = _CAUSES.get(response.status_code, "upstream_error")
            raise UpstreamError(cause, f"{model} answered {response.status_code}: {response.text[:200]}")
        try:
            answer = _decode(response.content)
        except msgspec.DecodeError as exc:
            raise UpstreamError("bad_answer", f"{model} answered something that is not a chat completion") from exc
        if not answer.choices:
            raise UpstreamError("bad_answer", f"{model} answered no choice")
        usage = answer.usage or _Usage()
        return Completion(answer.choices[0].message.content or "", usage.prompt_tokens, usage.completion_tokens)


class HttpDeployments:
    """Whether the user has a deployment: OpenAI's ``GET /v1/models/{name}`` on registry."""

    def __init__(self, http: httpx.AsyncClient, registry_url: str) -> None:
        self._http = http
        self._base = registry_url.rstrip("/")

    async def exists(self, token: str, name: str) -> bool:
        response = await self._http.get(
            self._base + MODEL_PATH.format(name=name), headers={"authorization": f"Bearer {token}"}
        )
        if response.status_code in (403, 404):
            return False
        response.raise_for_status()
        return True

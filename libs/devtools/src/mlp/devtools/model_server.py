"""A small OpenAI-compatible model server for tests and benchmarks (never shipped).

Deterministic answers: a chat completion answers the last user message upper-cased, a completion
answers the prompt upper-cased, an embedding is 8 numbers drawn from the input's SHA-256, and
``POST /predict`` (a generic http-json model) echoes its JSON body under ``"prediction"``. Tokens
are whitespace-separated words, so usage figures are easy to predict. Streaming sends one word
per server-sent event (``stream_options.include_usage`` adds a last chunk with usage).

Strict like a real server (vLLM's ``--served-model-name``, OpenAI): it serves only the model ids in
``models`` (``serve`` adds one, as a finished fine-tuning job does) and answers any other ``model``
with OpenAI's 404 ``model_not_found``; ``GET /models`` lists them; ``seen_models`` records each
``model`` asked for, in order. Answers name the model asked for. ``/predict`` takes no model.

Knobs for tests, changeable while it runs: ``latency_seconds`` (before answering),
``chunk_delay_seconds`` (between streamed words), ``fail_status`` (answer every call with this
status and ``fail_message``), ``break_after_words`` (a stream drops its connection after that many words),
``api_key`` (required as ``Authorization: Bearer`` when set). ``requests`` counts calls.

Run it in a test (``ModelServer().start()`` serves on an ephemeral loopback port in a thread) or
alone: ``python -m mlp.devtools.model_server --port 9100 --model test-model``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

from mlp.devtools.loopback_server import LoopbackServer

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


async def read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += bytes(message.get("body", b""))
        if not message.get("more_body"):
            return body


def words(text: str) -> list[str]:
    return text.split()


def embedding(text: str) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    return [round(byte / 255, 6) for byte in digest[:8]]


DEFAULT_MODEL = "test-model"


class ModelServer(LoopbackServer):
    def __init__(self, *models: str, api_key: str | None = None) -> None:
        self.models = list(models or (DEFAULT_MODEL,))
        self.api_key = api_key
        self.latency_seconds = 0.0
        self.chunk_delay_seconds = 0.0
        self.fail_status: int | None = None
        self.fail_message = "the model crashed"
        self.break_after_words: int | None = None
        self.requests = 0
        self.seen_models: list[str] = []

    @property
    def model(self) -> str:
        """The first model id it serves."""
        return self.models[0]

    def serve(self, model: str) -> None:
        """Serve one more model id (a fine-tuned model, once its job succeeded)."""
        if model not in self.models:
            self.models.append(model)

    # ---- ASGI ------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.requests += 1
        body = await read_body(receive)
        headers = dict(scope["headers"])
        if self.api_key and headers.get(b"authorization") != f"Bearer {self.api_key}".encode():
            await self._json(send, 401, {"error": {"message": "bad api key", "type": "auth", "code": "invalid_key"}})
            return
        if self.latency_seconds:
            await asyncio.sleep(self.latency_seconds)
        if self.fail_status is not None:
            error = {"message": self.fail_message, "type": "server_error", "code": "boom"}
            await self._json(send, self.fail_status, {"error": error})
            return
        await self._route(scope["method"], scope["path"].removeprefix("/v1"), body, send)

    async def _route(self, method: str, path: str, body: bytes, send: Send) -> None:
        if method == "GET" and path in ("/models", "/health"):
            listed = [{"id": model, "object": "model", "owned_by": "stand-in"} for model in self.models]
            await self._json(send, 200, {"object": "list", "data": listed})
            return
        if method != "POST":
            await self._json(send, 405, {"error": {"message": "method not allowed", "type": "invalid_request_error"}})
            return
        try:
            request = json.loads(body)
        except ValueError:
            await self._json(send, 400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
            return
        handlers = {
            "/chat/completions": self._chat,
            "/completions": self._completion,
            "/embeddings": self._embeddings,
            "/predict": self._predict,
        }
        handler = handlers.get(path)
        if handler is None:
            await self._json(send, 404, {"error": {"message": "no such route", "type": "invalid_request_error"}})
            return
        if handler != self._predict and not await self._known_model(request, send):
            return
        await handler(request, send)

    async def _known_model(self, request: dict[str, Any], send: Send) -> bool:
        """OpenAI's answer to a model it does not serve: 404 ``model_not_found``."""
        model = request.get("model")
        self.seen_models.append(str(model))
        if model in self.models:
            return True
        error = {
            "message": f"The model `{model}` does not exist or you do not have access to it.",
            "type": "invalid_request_error",
            "param": None,
            "code": "model_not_found",
        }
        await self._json(send, 404, {"error": error})
        return False

    async def _chat(self, request: dict[str, Any], send: Send) -> None:
        messages = request.get("messages") or []
        last = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
        prompt_tokens = sum(len(words(str(m.get("content", "")))) for m in messages)
        answer = str(last).upper()
        if request.get("stream"):
            await self._stream(request, send, "chat.completion.chunk", answer, prompt_tokens, chat=True)
            return
        choice = {"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}
        body = self._completion_body("chat.completion", choice, prompt_tokens, answer, request["model"])
        await self._json(send, 200, body)

    async def _completion(self, request: dict[str, Any], send: Send) -> None:
        prompt = str(request.get("prompt", ""))
        answer = prompt.upper()
        if request.get("stream"):
            await self._stream(request, send, "text_completion", answer, len(words(prompt)), chat=False)
            return
        choice = {"index": 0, "text": answer, "finish_reason": "stop", "logprobs": None}
        body = self._completion_body("text_completion", choice, len(words(prompt)), answer, request["model"])
        await self._json(send, 200, body)

    async def _embeddings(self, request: dict[str, Any], send: Send) -> None:
        raw = request.get("input", "")
        inputs = [raw] if isinstance(raw, str) else [str(item) for item in raw]
        data = [{"object": "embedding", "index": i, "embedding": embedding(text)} for i, text in enumerate(inputs)]
        tokens = sum(len(words(text)) for text in inputs)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        await self._json(send, 200, {"object": "list", "data": data, "model": request["model"], "usage": usage})

    async def _predict(self, request: dict[str, Any], send: Send) -> None:
        await self._json(send, 200, {"prediction": request})

    @staticmethod
    def _completion_body(
        obj: str, choice: dict[str, Any], prompt_tokens: int, answer: str, model: str
    ) -> dict[str, Any]:
        completion_tokens = len(words(answer))
        return {
            "id": "cmpl-test",
            "object": obj,
            "created": int(time.time()),
            "model": model,
            "choices": [choice],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    async def _stream(
        self, request: dict[str, Any], send: Send, obj: str, answer: str, prompt_tokens: int, *, chat: bool
    ) -> None:
        headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        pieces = words(answer)
        base = {"id": "cmpl-test", "object": obj, "created": int(time.time()), "model": request["model"]}
        for i, piece in enumerate(pieces):
            if i == self.break_after_words:
                raise ConnectionResetError("the stand-in drops the stream")
            text = piece if i == 0 else " " + piece
            delta: dict[str, Any] = {"role": "assistant", "content": text} if chat else {}
            choice = {"index": 0, "delta": delta, "finish_reason": None} if chat else {"index": 0, "text": text}
            await self._event(send, {**base, "choices": [choice]})
            if self.chunk_delay_seconds:
                await asyncio.sleep(self.chunk_delay_seconds)
        final = {"index": 0, "delta": {}, "finish_reason": "stop"} if chat else {"index": 0, "text": ""}
        await self._event(send, {**base, "choices": [final]})
        if (request.get("stream_options") or {}).get("include_usage"):
            usage = {"prompt_tokens": prompt_tokens, "completion_tokens": len(pieces)}
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            await self._event(send, {**base, "choices": [], "usage": usage})
        await send({"type": "http.response.body", "body": b"data: [DONE]\n\n", "more_body": False})

    @staticmethod
    async def _event(send: Send, payload: dict[str, Any]) -> None:
        chunk = b"data: " + json.dumps(payload).encode() + b"\n\n"
        await send({"type": "http.response.body", "body": chunk, "more_body": True})

    @staticmethod
    async def _json(send: Send, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser(description="OpenAI-compatible test model server")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--model", action="append", help="a model id to serve (repeatable; default test-model)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before answering")
    parser.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between streamed words")
    args = parser.parse_args()
    server = ModelServer(*(args.model or ()))
    server.latency_seconds = args.latency
    server.chunk_delay_seconds = args.chunk_delay
    uvicorn.run(server, host="127.0.0.1", port=args.port, log_level="warning", lifespan="off")


if __name__ == "__main__":
    main()

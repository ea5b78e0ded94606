"""The tokens the platform counts for a call: its request's prompt and its answer's output, by endpoint.

Chat prompts follow OpenAI's published recipe for its chat models: each message costs 3 tokens
beyond its role, content and name (a name 1 more), and the reply is primed with 3 more. Text parts
of a multi-part content and the names and arguments of tool calls count; images, audio and tool
schemas do not (this counts text). A prompt or input given as token ids counts one per id. A body
that does not decode counts 0: requests were validated before they went upstream, and an upstream
answering something unreadable earns nothing for its output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from mlp.registry.domain.inference import Endpoint

Count = Callable[[str], int]
MESSAGE_OVERHEAD = 3
NAME_OVERHEAD = 1
REPLY_PRIMING = 3


class _Function(msgspec.Struct):
    name: str = ""
    arguments: str = ""


class _ToolCall(msgspec.Struct):
    function: _Function | None = None


class _Part(msgspec.Struct):
    text: str | None = None


class _Message(msgspec.Struct):
    role: str = ""
    content: str | list[_Part] | None = None
    name: str | None = None
    tool_calls: list[_ToolCall] | None = None


class _Request(msgspec.Struct):
    messages: list[_Message] = msgspec.field(default_factory=list)
    prompt: Any = None
    input: Any = None


class _Choice(msgspec.Struct):
    message: _Message | None = None
    text: str | None = None


class _Answer(msgspec.Struct):
    choices: list[_Choice] = msgspec.field(default_factory=list)


_request = msgspec.json.Decoder(_Request)
_answer = msgspec.json.Decoder(_Answer)


def prompt_tokens(endpoint: Endpoint, body: bytes, count: Count) -> int:
    try:
        request = _request.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return 0
    if endpoint == "chat.completions":
        return REPLY_PRIMING + sum(_prompt_message(message, count) for message in request.messages)
    return _given(request.prompt if endpoint == "completions" else request.input, count)


def output_tokens(endpoint: Endpoint, body: bytes, count: Count) -> int:
    """An answer's generated tokens (none for embeddings)."""
    if endpoint not in ("chat.completions", "completions"):
        return 0
    try:
        answer = _answer.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return 0
    return sum(_said(c.message, count) if c.message else count(c.text or "") for c in answer.choices)


def _prompt_message(message: _Message, count: Count) -> int:
    tokens = MESSAGE_OVERHEAD + count(message.role) + _said(message, count)
    if message.name:
        tokens += NAME_OVERHEAD + count(message.name)
    return tokens


def _said(message: _Message, count: Count) -> int:
    """A message's text and tool calls."""
    content = message.content
    text = content if isinstance(content, str) else "".join(part.text or "" for part in content or [])
    calls = [call.function for call in message.tool_calls or [] if call.function is not None]
    return count(text) + sum(count(function.name) + count(function.arguments) for function in calls)


def _given(value: Any, count: Count) -> int:
    """A prompt or input: a string, token ids, or a list of strings or of token id lists."""
    tokens = 0
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            tokens += count(item)
        elif isinstance(item, int):
            tokens += 1
        elif isinstance(item, list):
            tokens += sum(1 for token in item if isinstance(token, int))
    return tokens

"""Token counts of an upstream answer: its ``usage`` when it has one, else counted from the stream."""

from __future__ import annotations

import re

import msgspec


class _Usage(msgspec.Struct):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class _Delta(msgspec.Struct):
    content: str | None = None


class _Choice(msgspec.Struct):
    delta: _Delta | None = None
    text: str | None = None


class _Answer(msgspec.Struct):
    usage: _Usage | None = None


class _Chunk(msgspec.Struct):
    usage: _Usage | None = None
    choices: list[_Choice] = msgspec.field(default_factory=list)


_answer = msgspec.json.Decoder(_Answer)
_chunk = msgspec.json.Decoder(_Chunk)
_EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")


def answer_tokens(body: bytes) -> tuple[int | None, int | None]:
    """(prompt, completion) tokens from a JSON answer's ``usage`` (None when absent or not JSON)."""
    try:
        usage = _answer.decode(body).usage
    except msgspec.DecodeError:
        return None, None
    return (usage.prompt_tokens, usage.completion_tokens) if usage else (None, None)


class StreamTokens:
    """Reads server-sent events as they pass; a chunk carrying text counts as one output token unless the
    stream reports ``usage`` (OpenAI sends it last when ``stream_options.include_usage`` is set).

    Only complete events pass on (a partial one waits for its end, bytes unchanged), so a stream that
    breaks can still end with a clean error event. With ``hide_usage`` (the proxy asked the upstream
    for usage the client did not ask for) the usage-only event is taken out of what passes on: a
    client reading ``choices[0]`` of every chunk would fail on it."""

    def __init__(self, hide_usage: bool = False) -> None:
        self._hide_usage = hide_usage
        self._pending = b""
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None
        self._counted = 0

    def feed(self, chunk: bytes) -> bytes:
        """Counts the chunk's tokens; what to send on."""
        received = self._pending + chunk
        *events, self._pending = _EVENT_END.split(received)
        passed = []
        for event in events:
            usage_only = False
            for line in event.splitlines():
                if line.startswith(b"data:"):
                    usage_only = self._data(line[5:].strip()) or usage_only
            if not usage_only:
                passed.append(event + b"\n\n")
        if self._hide_usage:
            return b"".join(passed)
        return received[: len(received) - len(self._pending)]

    def rest(self) -> bytes:
        """What is left to send once the stream ended (an event with no blank line after it)."""
        return self._pending

    def _data(self, data: bytes) -> bool:
        """Counts one event's data; True when it carries usage and no choice."""
        if not data or data == b"[DONE]":
            return False
        try:
            chunk = _chunk.decode(data)
        except msgspec.DecodeError:
            return False
        if chunk.usage is not None:
            self.prompt_tokens = chunk.usage.prompt_tokens
            self.completion_tokens = chunk.usage.completion_tokens
        for choice in chunk.choices:
            if (choice.delta and choice.delta.content) or choice.text:
                self._counted += 1
        return chunk.usage is not None and not chunk.choices

    def totals(self) -> tuple[int | None, int | None]:
        return self.prompt_tokens, self.completion_tokens if self.completion_tokens is not None else self._counted

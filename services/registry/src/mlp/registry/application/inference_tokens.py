"""Token counts of an upstream answer: its ``usage`` when it has one, else counted from the stream."""

from __future__ import annotations

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


def answer_tokens(body: bytes) -> tuple[int | None, int | None]:
    """(prompt, completion) tokens from a JSON answer's ``usage`` (None when absent or not JSON)."""
    try:
        usage = _answer.decode(body).usage
    except msgspec.DecodeError:
        return None, None
    return (usage.prompt_tokens, usage.completion_tokens) if usage else (None, None)


class StreamTokens:
    """Reads server-sent events as they pass; a chunk carrying text counts as one output token unless the
    stream reports ``usage`` (OpenAI sends it last when ``stream_options.include_usage`` is set)."""

    def __init__(self) -> None:
        self._pending = b""
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None
        self._counted = 0

    def feed(self, chunk: bytes) -> None:
        self._pending += chunk
        *events, self._pending = self._pending.split(b"\n\n")
        for event in events:
            for line in event.splitlines():
                if line.startswith(b"data:"):
                    self._data(line[5:].strip())

    def _data(self, data: bytes) -> None:
        if not data or data == b"[DONE]":
            return
        try:
            chunk = _chunk.decode(data)
        except msgspec.DecodeError:
            return
        if chunk.usage is not None:
            self.prompt_tokens = chunk.usage.prompt_tokens
            self.completion_tokens = chunk.usage.completion_tokens
        for choice in chunk.choices:
            if (choice.delta and choice.delta.content) or choice.text:
                self._counted += 1

    def totals(self) -> tuple[int | None, int | None]:
        return self.prompt_tokens, self.completion_tokens if self.completion_tokens is not None else self._counted

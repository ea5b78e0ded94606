"""What an upstream answer says of its tokens (its ``usage``), and a stream's text for the platform to count.

Reported figures outside 0..2**31-1 are taken as not reported: they come from a server the
platform may not control, and must neither bill nor break the log's integer columns."""

from __future__ import annotations

import re

import msgspec

MAX_REPORTED = 2**31 - 1


class _Usage(msgspec.Struct):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    def figures(self) -> tuple[int | None, int | None]:
        return _bounded(self.prompt_tokens), _bounded(self.completion_tokens)


def _bounded(tokens: int | None) -> int | None:
    return tokens if tokens is not None and 0 <= tokens <= MAX_REPORTED else None


class _Function(msgspec.Struct):
    name: str | None = None
    arguments: str | None = None


class _ToolCall(msgspec.Struct):
    function: _Function | None = None


class _Delta(msgspec.Struct):
    content: str | None = None
    tool_calls: list[_ToolCall] | None = None


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
    except (msgspec.DecodeError, RecursionError):
        return None, None
    return usage.figures() if usage else (None, None)


class StreamTokens:
    """Reads server-sent events as they pass: the ``usage`` the stream reports (OpenAI sends it last when
    ``stream_options.include_usage`` is set), and the generated text, kept for counting after the stream.

    Only complete events pass on (a partial one waits for its end, bytes unchanged), so a stream that
    breaks can still end with a clean error event. With ``hide_usage`` (the proxy asked the upstream
    for usage the client did not ask for) the usage-only event is taken out of what passes on: a
    client reading ``choices[0]`` of every chunk would fail on it."""

    def __init__(self, hide_usage: bool = False) -> None:
        self._hide_usage = hide_usage
        self._pending = b""
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None
        self._text: list[str] = []

    def feed(self, chunk: bytes) -> bytes:
        """Reads the chunk's usage and text; what to send on."""
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
        except (msgspec.DecodeError, RecursionError):
            return False
        if chunk.usage is not None:
            self.prompt_tokens, self.completion_tokens = chunk.usage.figures()
        for choice in chunk.choices:
            self._keep(choice)
        return chunk.usage is not None and not chunk.choices

    def _keep(self, choice: _Choice) -> None:
        if choice.text:
            self._text.append(choice.text)
        delta = choice.delta
        if delta is None:
            return
        if delta.content:
            self._text.append(delta.content)
        for call in delta.tool_calls or []:
            if call.function is not None:
                self._text += [call.function.name or "", call.function.arguments or ""]

    def totals(self) -> tuple[int | None, int | None]:
        """The tokens the stream reported (None where it reported none)."""
        return self.prompt_tokens, self.completion_tokens

    def text(self) -> str:
        """What the stream generated, as text."""
        return "".join(self._text)

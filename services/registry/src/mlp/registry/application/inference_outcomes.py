"""What the attempts of a call end with: an answer, a refusal of a stream, or a stream ready to relay;
and how a failed attempt is logged and shown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TypeVar

import msgspec

from mlp.registry.application.inference_attempts import Attempt
from mlp.registry.application.serving_ports import UpstreamReply, UpstreamStream
from mlp.registry.application.upstream_errors import UpstreamError, UpstreamTimeout

_Failure = TypeVar("_Failure")


@dataclass(frozen=True)
class Answered:
    """A plain call's answer and the attempt that gave it."""

    attempt: Attempt
    reply: UpstreamReply


@dataclass(frozen=True)
class Refused:
    """A streamed call the upstream refused before streaming (status >= 400), with its answer."""

    attempt: Attempt
    status_code: int
    body: bytes


@dataclass
class OpenedStream:
    """A stream that answered 200 and sent its first chunk; nothing relayed yet."""

    attempt: Attempt
    stream: UpstreamStream
    first: bytes
    rest: AsyncIterator[bytes]


def error_event(exc: UpstreamError) -> bytes:
    """OpenAI's error event: the ``openai`` client raises it as an APIError."""
    code = "upstream_timeout" if isinstance(exc, UpstreamTimeout) else "upstream_unavailable"
    error = {"message": f"the stream broke after it started: {exc}", "type": "server_error", "param": None}
    return b"data: " + msgspec.json.encode({"error": {**error, "code": code}}) + b"\n\n"


def outcome(failure: _Failure | UpstreamError | None) -> _Failure:
    if failure is None:  # pragma: no cover (Attempts yields the deployment called, always)
        raise AssertionError("no attempt was made")
    if isinstance(failure, UpstreamError):
        raise failure
    return failure


def status_of(exc: UpstreamError) -> int:
    return 504 if isinstance(exc, UpstreamTimeout) else 502


def answer_error(status: int) -> str:
    return f"upstream answered {status}"

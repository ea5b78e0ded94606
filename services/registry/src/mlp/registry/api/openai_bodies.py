"""Reads just enough of an OpenAI request body to route it; the body itself is forwarded untouched."""

from __future__ import annotations

import re

import msgspec

from mlp.registry.api.openai_errors import OpenAIError

ABSENT = msgspec.Raw(b"")


class StreamOptions(msgspec.Struct):
    include_usage: bool | None = None


class Envelope(msgspec.Struct):
    """The fields the proxy looks at; every other field passes through unread."""

    model: str | None = None
    stream: bool | None = None
    stream_options: StreamOptions | None = None
    messages: msgspec.Raw = ABSENT
    prompt: msgspec.Raw = ABSENT
    input: msgspec.Raw = ABSENT


REQUIRED = {"chat.completions": "messages", "completions": "prompt", "embeddings": "input"}
_decoder = msgspec.json.Decoder(Envelope)
_AT_FIELD = re.compile(r"at `\$\.(\w+)")


def bad_request(message: str, param: str) -> OpenAIError:
    return OpenAIError(400, message, "invalid_value", param)


def read_envelope(body: bytes, endpoint: str) -> Envelope:
    """The routing fields, or a 400 naming the field at fault."""
    try:
        envelope = _decoder.decode(body)
    except msgspec.ValidationError as exc:
        found = _AT_FIELD.search(str(exc))
        raise bad_request(f"invalid request body: {exc}", found.group(1) if found else "body") from None
    except msgspec.DecodeError:
        raise bad_request("the request body is not a JSON object", "body") from None
    if not envelope.model:
        raise bad_request("you must provide a model parameter (a deployment name)", "model")
    field = REQUIRED[endpoint]
    value = bytes(getattr(envelope, field))
    if value in (b"", b"null", b"[]", b'""'):
        raise bad_request(f"'{field}' is required for {endpoint}", field)
    if field == "messages" and not value.startswith(b"["):
        raise bad_request("'messages' must be an array of messages", field)
    if envelope.stream and endpoint == "embeddings":
        raise bad_request("embeddings cannot be streamed", "stream")
    return envelope


def with_stream_usage(body: bytes, envelope: Envelope) -> bytes | None:
    """A streamed call's body asking the upstream for its usage (``stream_options.include_usage``)
    when the client did not: the call's exact tokens are then logged and billed, where counting
    chunks would miss the prompt's. None when the body stays as it is."""
    if not envelope.stream or (envelope.stream_options is not None and envelope.stream_options.include_usage):
        return None
    data = msgspec.json.decode(body)
    data["stream_options"] = {**(data.get("stream_options") or {}), "include_usage": True}
    return msgspec.json.encode(data)

"""Reads just enough of an OpenAI request body to route it: its top-level fields stay raw JSON
(see RequestBody), only ``model``, ``stream``, ``stream_options`` and the kind's required field are
looked at."""

from __future__ import annotations

from typing import Any

import msgspec

from mlp.registry.api.openai_errors import OpenAIError
from mlp.registry.application.inference_bodies import RequestBody

REQUIRED = {"chat.completions": "messages", "completions": "prompt", "embeddings": "input"}
_fields = msgspec.json.Decoder(dict[str, msgspec.Raw])
_decoders: dict[str, msgspec.json.Decoder[Any]] = {
    "model": msgspec.json.Decoder(str),
    "stream": msgspec.json.Decoder(bool | None),
    "stream_options": msgspec.json.Decoder(dict[str, Any] | None),
}


class OpenAIRequest(msgspec.Struct, frozen=True):
    """A msgspec Struct rather than a dataclass: built on every call, ten times cheaper."""

    model: str
    stream: bool
    body: RequestBody
    hide_usage: bool
    """The body asks the upstream for a stream's usage the client did not ask for (see StreamTokens)."""


def bad_request(message: str, param: str) -> OpenAIError:
    return OpenAIError(400, message, "invalid_value", param)


def _field(fields: dict[str, msgspec.Raw], name: str) -> Any:
    raw = fields.get(name)
    if raw is None:
        return None
    try:
        return _decoders[name].decode(raw)
    except msgspec.ValidationError as exc:
        raise bad_request(f"invalid request body: {exc} at `$.{name}`", name) from None


def read_request(body: bytes, endpoint: str) -> OpenAIRequest:
    """The routing fields and the body ready to name another model, or a 400 naming the field at fault."""
    try:
        fields = _fields.decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError):
        raise bad_request("the request body is not a JSON object", "body") from None
    model, stream, options = _field(fields, "model"), _field(fields, "stream"), _field(fields, "stream_options")
    if not model:
        raise bad_request("you must provide a model parameter (a deployment name)", "model")
    field = REQUIRED[endpoint]
    value = bytes(fields.get(field, b""))
    if value in (b"", b"null", b"[]", b'""'):
        raise bad_request(f"'{field}' is required for {endpoint}", field)
    if field == "messages" and not value.startswith(b"["):
        raise bad_request("'messages' must be an array of messages", field)
    if stream and endpoint == "embeddings":
        raise bad_request("embeddings cannot be streamed", "stream")
    hide_usage = bool(stream) and not (options or {}).get("include_usage")
    if hide_usage:
        # the call's exact tokens are then logged and billed, where counting chunks would miss the prompt's
        fields["stream_options"] = msgspec.Raw(msgspec.json.encode({**(options or {}), "include_usage": True}))
    return OpenAIRequest(model, bool(stream), RequestBody(body, fields, changed=hide_usage), hide_usage)

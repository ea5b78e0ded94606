"""A request body as the proxy forwards it, naming the model the upstream serves.

An OpenAI body is kept as its top-level fields, each value a ``msgspec.Raw`` slice of the bytes
received: naming another model re-encodes only the top level (every other value is copied as
bytes, never decoded). A predict body passes as it came.
"""

from __future__ import annotations

import msgspec


class RequestBody:
    __slots__ = ("_changed", "_fields", "received")

    def __init__(self, received: bytes, fields: dict[str, msgspec.Raw] | None = None, changed: bool = False) -> None:
        self.received = received
        self._fields = fields
        self._changed = changed
        """A field other than ``model`` was changed after reading (``stream_options``)."""

    def naming(self, model: str | None) -> bytes:
        """The body with ``model`` set to ``model`` (None: the request's own)."""
        if self._fields is None or (model is None and not self._changed):
            return self.received
        if model is None:
            return msgspec.json.encode(self._fields)
        return msgspec.json.encode({**self._fields, "model": msgspec.Raw(msgspec.json.encode(model))})

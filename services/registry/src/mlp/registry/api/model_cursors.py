"""Opaque page cursors: the sort key of a page's last row, base64url-encoded JSON."""

from __future__ import annotations

import base64
import binascii

import msgspec

from mlp.common.runtime.storable_text import UNSTORABLE
from mlp.registry.domain.models_errors import InvalidModelInput


def encode_cursor(after: tuple[str, ...] | None) -> str | None:
    if after is None:
        return None
    return base64.urlsafe_b64encode(msgspec.json.encode(list(after))).decode().rstrip("=")


def decode_cursor(token: str | None, field: str = "cursor", width: int = 1) -> tuple[str, ...] | None:
    if not token:
        return None
    try:
        values = msgspec.json.decode(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)), type=list[str])
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidModelInput("not a cursor this API gave out", field=field) from None
    if len(values) != width or any(UNSTORABLE.search(value) for value in values):
        raise InvalidModelInput("not a cursor this API gave out", field=field)
    return tuple(values)

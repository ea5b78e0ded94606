"""What may be taken from an upstream's error answer: its ``code`` and ``param`` when they are plain
identifiers (``model_not_found``, ``context_length_exceeded``, ``messages``), nothing else."""

from __future__ import annotations

import re

import msgspec

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


class _Error(msgspec.Struct):
    code: object = None
    param: object = None


class _Answer(msgspec.Struct):
    error: _Error | None = None


_decoder = msgspec.json.Decoder(_Answer)


def _plain(value: object) -> str | None:
    return value if isinstance(value, str) and _IDENTIFIER.match(value) else None


def upstream_code(body: bytes) -> tuple[str | None, str | None]:
    """(code, param) of an OpenAI-shaped error answer, each None unless a plain identifier."""
    try:
        error = _decoder.decode(body).error
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None, None
    return (_plain(error.code), _plain(error.param)) if error else (None, None)

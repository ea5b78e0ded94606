"""Reads a ``multipart/form-data`` body, as OpenAI's file upload sends it (test servers only)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOUNDARY = re.compile(rb'boundary="?([^";]+)"?')
_NAME = re.compile(rb'[;\s]name="([^"]*)"')
_FILENAME = re.compile(rb'[;\s]filename="([^"]*)"')


@dataclass(frozen=True)
class FormPart:
    data: bytes
    filename: str | None = None


def form_parts(content_type: bytes, body: bytes) -> dict[str, FormPart]:
    """The parts by field name; empty when ``content_type`` is not multipart with a boundary."""
    found = _BOUNDARY.search(content_type)
    if not content_type.startswith(b"multipart/form-data") or found is None:
        return {}
    parts: dict[str, FormPart] = {}
    for chunk in body.split(b"--" + found.group(1))[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        name = _NAME.search(b";" + head)
        if name is None:
            continue
        filename = _FILENAME.search(b";" + head)
        parts[name.group(1).decode()] = FormPart(
            data.removesuffix(b"\r\n"), filename.group(1).decode() if filename else None
        )
    return parts

"""Prompt templates: ``{{name}}`` placeholders filled from a dataset row (and a few reserved names).

Deliberately tiny (no logic, no filters): a template only names values. Whitespace inside the
braces is allowed (``{{ question }}``); a value that is not a string is written as JSON.
Templates are scanned in one pass (``str.find`` from each ``}}`` back to its ``{{``), so their
parsing time is linear in their length whatever they contain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_ .\-]*")


def spans(template: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of each placeholder, in order."""
    position = 0
    while (close := template.find("}}", position)) != -1:
        start = template.rfind("{{", position, close)
        if start != -1:
            name = template[start + 2 : close].strip()
            if NAME.fullmatch(name):
                yield start, close + 2, name
        position = close + 2


def substitute(template: str, replace: Callable[[str], str]) -> str:
    """``template`` with each placeholder replaced by ``replace(name)``."""
    parts, position = [], 0
    for start, end, name in spans(template):
        parts += [template[position:start], replace(name)]
        position = end
    parts.append(template[position:])
    return "".join(parts)


def placeholders(template: str) -> set[str]:
    return {name for _, _, name in spans(template)}


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill every placeholder; a name missing from ``values`` becomes the empty string."""
    return substitute(template, lambda name: as_text(values.get(name)))

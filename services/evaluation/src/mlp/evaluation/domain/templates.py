"""Prompt templates: ``{{name}}`` placeholders filled from a dataset row (and a few reserved names).

Deliberately tiny (no logic, no filters): a template only names values. Whitespace inside the
braces is allowed (``{{ question }}``); a value that is not a string is written as JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_ .\-]*?)\s*\}\}")


def placeholders(template: str) -> set[str]:
    return {match.group(1) for match in PLACEHOLDER.finditer(template)}


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill every placeholder; a name missing from ``values`` becomes the empty string."""
    return PLACEHOLDER.sub(lambda match: as_text(values.get(match.group(1))), template)

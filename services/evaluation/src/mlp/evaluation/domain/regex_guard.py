"""Refusing regular expressions that backtrack catastrophically, before they reach a worker.

The ``regex`` package already avoids most exponential cases and takes a ``timeout``; a pattern is
tried on a few adversarial inputs (runs of each literal character it names, then a mismatch)
under a short deadline, and refused if any of them times out. Rows are still matched with a
per-row timeout, so a pattern that slips through costs one row, never a hung worker.
"""

from __future__ import annotations

from typing import Any

import regex

from mlp.evaluation.domain.errors import InvalidInput

PROBE_SECONDS = 0.05
PROBE_LENGTH = 48


def _probes(pattern: str) -> list[str]:
    characters = {c for c in pattern if c.isalnum()} | {"a", "0", " ", "x"}
    runs = [c * PROBE_LENGTH for c in sorted(characters)][:40]
    return [run + tail for run in runs for tail in ("!", "\n")] + [("ab " * PROBE_LENGTH) + "!"]


def refuse_catastrophic(compiled: regex.Pattern[str], pattern: str, *, field: str) -> None:
    for probe in _probes(pattern):
        try:
            compiled.search(probe, timeout=PROBE_SECONDS)
        except TimeoutError as exc:
            raise InvalidInput("this pattern backtracks catastrophically on some inputs", field=field) from exc


def schema_patterns(schema: Any) -> list[str]:
    """Every ``pattern`` and ``patternProperties`` key in a JSON Schema (walked without recursion)."""
    found: list[str] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.append(node["pattern"])
            if isinstance(node.get("patternProperties"), dict):
                found.extend(str(key) for key in node["patternProperties"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found

"""The one regular-expression engine of evaluation: the ``regex`` package, every match under a timeout.

The ``regex`` criterion and JSON Schema's ``pattern``/``patternProperties`` both match through
here, so a pattern that backtracks catastrophically costs a ``regex_timeout`` verdict, never a
stuck process. A match that runs out of time raises ``TimeoutError``.
"""

from __future__ import annotations

import functools

import regex


@functools.lru_cache(maxsize=256)
def compiled(pattern: str, ignore_case: bool = False) -> regex.Pattern[str]:
    """Compiled once per pattern (the module's own cache lookup costs more than the match)."""
    return regex.compile(pattern, flags=regex.IGNORECASE if ignore_case else 0)


def search(pattern: str, text: str, timeout: float) -> bool:
    return compiled(pattern).search(text, timeout=timeout) is not None

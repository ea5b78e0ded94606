"""One ``Range: bytes=...`` header (RFC 9110) against a known size; several ranges get the whole body."""

from __future__ import annotations

import re

from mlp.common.runtime.problems import Problem

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def requested_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``[start, end)`` to send, or None for the whole body; 416 when nothing of it exists."""
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size
    else:
        start = int(first)
        end = min(int(last) + 1, size) if last else size
    if start >= size or start >= end:
        raise Problem(
            416,
            "range-not-satisfiable",
            f"the file has {size} bytes",
            field="range",
            headers={"content-range": f"bytes */{size}"},
        )
    return start, end

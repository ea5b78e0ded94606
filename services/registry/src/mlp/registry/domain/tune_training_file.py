"""Checked fine-tuning examples as the JSONL file an OpenAI-compatible trainer trains on."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any


def training_jsonl(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One ``{"messages": [...]}`` line per example (rows that ``check_examples`` accepted).

    A ``messages`` cell (a JSON list, or its text) is copied as it is. A prompt/completion row
    becomes a two-message chat, the prompt said by the user and the completion by the assistant:
    OpenAI's fine-tuning API (and the compatible ones: Together, vLLM-based trainers) takes only
    the chat format for chat models, its legacy prompt/completion format is gone, so one format
    serves both kinds of dataset."""
    names = list(columns)

    def cell(row: Sequence[Any], name: str) -> Any:
        index = names.index(name)
        return row[index] if index < len(row) else None

    lines = []
    for row in rows:
        if "messages" in names:
            messages = cell(row, "messages")
            if isinstance(messages, str):
                messages = json.loads(messages)
        else:
            messages = [
                {"role": "user", "content": _text(cell(row, "prompt"))},
                {"role": "assistant", "content": _text(cell(row, "completion"))},
            ]
        lines.append(json.dumps({"messages": messages}, ensure_ascii=False))
    return "".join(line + "\n" for line in lines).encode()


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

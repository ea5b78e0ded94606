"""What metering needs from outside: a tokenizer that counts the platform's billed tokens."""

from __future__ import annotations

from typing import Protocol


class TokenCounter(Protocol):
    """Tokens of a text in the platform's billing unit (one encoding for every model, so a bill never
    depends on a tokenizer the upstream claims to use). Pure CPU: callers keep it off the event loop."""

    def count(self, text: str) -> int: ...

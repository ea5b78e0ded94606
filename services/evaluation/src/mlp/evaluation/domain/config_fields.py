"""Reading a criterion's JSON config field by field, naming the field at fault (``config.<name>``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mlp.evaluation.domain.errors import InvalidInput

MAX_TEXT = 20_000


class ConfigFields:
    def __init__(self, raw: Any, allowed: set[str], prefix: str = "config") -> None:
        if not isinstance(raw, Mapping):
            raise InvalidInput("must be an object", field=prefix)
        self._raw = raw
        self._prefix = prefix
        for name in raw:
            if name not in allowed:
                raise InvalidInput(
                    f"unknown field (allowed: {', '.join(sorted(allowed)) or 'none'})", field=self.at(name)
                )

    def at(self, name: str) -> str:
        return f"{self._prefix}.{name}"

    def has(self, name: str) -> bool:
        return self._raw.get(name) is not None

    def text(self, name: str, default: str | None = None, *, max_length: int = MAX_TEXT) -> str:
        value = self._raw.get(name, default)
        if not isinstance(value, str) or not value:
            raise InvalidInput("required: a non-empty string", field=self.at(name))
        if len(value) > max_length:
            raise InvalidInput(f"at most {max_length} characters", field=self.at(name))
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self._raw.get(name, default)
        if not isinstance(value, bool):
            raise InvalidInput("must be true or false", field=self.at(name))
        return value

    def number(self, name: str, *, low: float, high: float, default: float | None = None) -> float:
        value = self._raw.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise InvalidInput("required: a number", field=self.at(name))
        if not low <= value <= high:
            raise InvalidInput(f"must be between {low} and {high}", field=self.at(name))
        return float(value)

    def optional_number(self, name: str, *, low: float, high: float) -> float | None:
        return self.number(name, low=low, high=high) if self.has(name) else None

    def texts(self, name: str, *, max_items: int = 50) -> tuple[str, ...]:
        value = self._raw.get(name)
        if not isinstance(value, list) or not value or len(value) > max_items:
            raise InvalidInput(f"required: a list of 1 to {max_items} strings", field=self.at(name))
        if not all(isinstance(item, str) and 0 < len(item) <= 200 for item in value):
            raise InvalidInput("every item must be a non-empty string of at most 200 characters", field=self.at(name))
        if len(set(value)) != len(value):
            raise InvalidInput("items must be distinct", field=self.at(name))
        return tuple(value)

    def mapping(self, name: str) -> dict[str, Any]:
        value = self._raw.get(name)
        if not isinstance(value, Mapping):
            raise InvalidInput("required: an object", field=self.at(name))
        return dict(value)

    def choice(self, name: str, options: tuple[str, ...], default: str | None = None) -> str:
        value = self._raw.get(name, default)
        if value not in options:
            raise InvalidInput(f"must be one of: {', '.join(options)}", field=self.at(name))
        return str(value)

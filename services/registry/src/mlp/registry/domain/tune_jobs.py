"""Fine-tuning jobs (OpenAI-compatible): the job, its events, and the pre-flight checks of its
training examples. No framework imports."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from mlp.registry.domain.errors import DomainError, InvalidInput

TuneStatus = Literal["validating_files", "queued", "running", "succeeded", "failed", "cancelled"]
FINISHED: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})
HYPERPARAMETERS = ("n_epochs", "batch_size", "learning_rate_multiplier")


class TrainingDataInvalid(DomainError):
    """400: the training (or validation) examples cannot be used; ``problems`` lists every one."""


@dataclass(frozen=True)
class ModelSpec:
    """``name:version`` or ``name@alias``."""

    name: str
    version: int | None = None
    alias: str | None = None


def parse_model_spec(spec: str) -> ModelSpec:
    if "@" in spec:
        name, _, alias = spec.rpartition("@")
        if name and alias:
            return ModelSpec(name, alias=alias)
    elif ":" in spec:
        name, _, number = spec.rpartition(":")
        if name and number.isascii() and number.isdigit() and 0 < int(number) < 2**31:
            return ModelSpec(name, version=int(number))
    raise InvalidInput("invalid-model", f"model {spec!r} is not name:version or name@alias", field="model")


def check_hyperparameters(values: dict[str, Any]) -> dict[str, Any]:
    """Each of ``n_epochs``, ``batch_size`` (positive integers) and ``learning_rate_multiplier``
    (positive number) is a value or ``"auto"`` (the default)."""
    checked: dict[str, Any] = {}
    for key in values:
        if key not in HYPERPARAMETERS:
            raise InvalidInput(
                "invalid-hyperparameters", f"unknown hyperparameter {key}", field=f"hyperparameters.{key}"
            )
    for key in HYPERPARAMETERS:
        value = values.get(key, "auto")
        integer = key != "learning_rate_multiplier"
        ok = value == "auto" or (
            not isinstance(value, bool)
            and isinstance(value, int | float)
            and value > 0
            and (not integer or isinstance(value, int))
        )
        if not ok:
            kind = "a positive integer" if integer else "a positive number"
            raise InvalidInput(
                "invalid-hyperparameters", f'{key} must be {kind} or "auto"', field=f"hyperparameters.{key}"
            )
        checked[key] = value
    return checked


@dataclass(frozen=True)
class ExampleLimits:
    min_examples: int = 10
    max_example_chars: int = 64_000
    max_problems: int = 50


class ExampleCheck:
    """Every problem of a chat training set, fed page by page (nothing of a page is kept): it needs
    a ``messages`` column of JSON lists or ``prompt`` + ``completion`` columns, no empty rows, at
    least ``min_examples`` examples, none longer than ``max_example_chars``."""

    def __init__(self, file_field: str, columns: Sequence[str], limits: ExampleLimits) -> None:
        self._field = file_field
        self._limits = limits
        self._problems: list[dict[str, Any]] = []
        self._count = 0
        names = list(columns)
        self._chat = "messages" in names
        self._index = {name: names.index(name) for name in ("messages", "prompt", "completion") if name in names}
        self._usable = self._chat or {"prompt", "completion"} <= set(names)
        if not self._usable:
            missing = [c for c in ("prompt", "completion") if c not in names]
            self._problem(
                "missing-columns", f"needs a messages column, or prompt and completion (missing {', '.join(missing)})"
            )

    def _problem(self, code: str, detail: str, row: int | None = None) -> None:
        if len(self._problems) < self._limits.max_problems:
            self._problems.append(
                {"field": self._field, "code": code, "detail": detail, **({"row": row} if row else {})}
            )

    def add(self, rows: Iterable[Sequence[Any]]) -> None:
        if not self._usable:
            return
        for row in rows:
            self._count += 1
            number = self._count
            cells = [row[i] if i < len(row) else None for i in self._index.values()]
            if all(cell in (None, "") for cell in cells):
                self._problem("empty-example", f"row {number} is empty", number)
                continue
            if self._chat and not _is_message_list(row[self._index["messages"]]):
                self._problem("invalid-messages", f"row {number}: messages is not a JSON list of messages", number)
            size = sum(len(cell if isinstance(cell, str) else json.dumps(cell)) for cell in cells if cell is not None)
            if size > self._limits.max_example_chars:
                self._problem(
                    "example-too-long",
                    f"row {number} has {size} characters (at most {self._limits.max_example_chars})",
                    number,
                )

    def problems(self) -> list[dict[str, Any]]:
        if self._usable and self._count < self._limits.min_examples:
            self._problem(
                "too-few-examples", f"{self._count} examples, at least {self._limits.min_examples} are needed"
            )
        return self._problems


def check_examples(
    file_field: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], limits: ExampleLimits
) -> list[dict[str, Any]]:
    """:class:`ExampleCheck` over rows held at once."""
    check = ExampleCheck(file_field, columns, limits)
    check.add(rows)
    return check.problems()


def jsonl_examples(data: bytes) -> list[list[Any]]:
    """A JSONL file of ``{"messages": [...]}`` lines as rows of one ``messages`` cell (a line that is
    not such an object stays as its text, and the checks call it invalid)."""
    rows: list[list[Any]] = []
    for line in data.decode("utf-8", errors="replace").splitlines():
        text = line.strip()
        if not text:
            rows.append([""])
            continue
        try:
            value = json.loads(text)
        except ValueError:
            rows.append([text])
            continue
        rows.append([value.get("messages", text) if isinstance(value, dict) else text])
    return rows


def _is_message_list(cell: Any) -> bool:
    value = cell
    if isinstance(cell, str):
        try:
            value = json.loads(cell)
        except ValueError:
            return False
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(m, dict) and isinstance(m.get("role"), str) for m in value)
    )


@dataclass(frozen=True)
class TuneJob:
    id: uuid.UUID
    user_id: uuid.UUID
    model: str
    """As the caller named it (``name:version`` or ``name@alias``)."""
    base_model_version_id: uuid.UUID
    training_file: str
    dataset_id: uuid.UUID | None
    """The training dataset; None when ``training_file`` is a JSONL file."""
    validation_file: str | None
    hyperparameters: dict[str, Any]
    suffix: str | None
    status: str
    created_at: datetime
    external_job_id: str | None = None
    result_model_version_id: uuid.UUID | None = None
    fine_tuned_model: str | None = None
    trained_tokens: int | None = None
    error: str | None = None
    finished_at: datetime | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    training_dataset_version: int | None = None
    """The dataset version validated at create (None for a JSONL file): the one trained on."""
    validation_dataset_version: int | None = None


@dataclass(frozen=True)
class TuneEvent:
    id: uuid.UUID
    job_id: uuid.UUID
    user_id: uuid.UUID
    created_at: datetime
    level: str
    message: str

"""One inference call as the log records it, and the figures the log answers with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Endpoint = Literal["chat.completions", "completions", "embeddings", "predict"]


@dataclass(frozen=True)
class InferenceRecord:
    """A finished call: which deployment and version served it, how it went, what it cost in tokens.

    ``prompt_tokens``/``completion_tokens`` are the billed figures; ``upstream_*`` what the upstream
    reported, kept beside them (the same unless the platform counted: see inference_metering)."""

    id: uuid.UUID
    request_id: str
    user_id: uuid.UUID
    deployment_id: uuid.UUID
    model_version_id: uuid.UUID
    api_key_id: uuid.UUID | None
    endpoint: Endpoint
    stream: bool
    status_code: int
    latency_ms: float
    upstream_latency_ms: float | None
    prompt_tokens: int | None
    completion_tokens: int | None
    error: str | None
    created_at: datetime
    upstream_prompt_tokens: int | None = None
    upstream_completion_tokens: int | None = None
    attempt: int = 1
    """1 for the deployment called; 2 and on for the fallbacks tried after it."""
    fallback_from: uuid.UUID | None = None
    """On a fallback's attempt: the deployment called."""


@dataclass(frozen=True)
class DailyStats:
    """Per deployment, version that answered and UTC day."""

    deployment_id: uuid.UUID
    model_version_id: uuid.UUID
    day: date
    requests: int
    errors: int
    p50_latency_ms: float
    p95_latency_ms: float
    prompt_tokens: int
    completion_tokens: int

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0

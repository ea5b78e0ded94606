"""How the inference log is shown."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import msgspec

from mlp.registry.domain.inference import DailyStats, InferenceRecord


class InferenceRequestView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    request_id: str
    deployment_id: uuid.UUID
    model_version_id: uuid.UUID
    api_key_id: uuid.UUID | None
    endpoint: str
    stream: bool
    status_code: int
    latency_ms: float
    upstream_latency_ms: float | None
    prompt_tokens: int | None
    """Billed: counted by the platform unless the upstream is a trusted provider."""
    completion_tokens: int | None
    upstream_prompt_tokens: int | None
    """What the upstream reported, logged beside the billed figure."""
    upstream_completion_tokens: int | None
    error: str | None
    created_at: datetime
    attempt: int
    """1 for the deployment called; 2 and on for the fallbacks tried after it."""
    fallback_from: uuid.UUID | None

    @classmethod
    def of(cls, r: InferenceRecord) -> InferenceRequestView:
        return cls(
            id=r.id,
            request_id=r.request_id,
            deployment_id=r.deployment_id,
            model_version_id=r.model_version_id,
            api_key_id=r.api_key_id,
            endpoint=r.endpoint,
            stream=r.stream,
            status_code=r.status_code,
            latency_ms=round(r.latency_ms, 3),
            upstream_latency_ms=None if r.upstream_latency_ms is None else round(r.upstream_latency_ms, 3),
            prompt_tokens=r.prompt_tokens,
            completion_tokens=r.completion_tokens,
            upstream_prompt_tokens=r.upstream_prompt_tokens,
            upstream_completion_tokens=r.upstream_completion_tokens,
            error=r.error,
            created_at=r.created_at,
            attempt=r.attempt,
            fallback_from=r.fallback_from,
        )


class InferenceRequestPage(msgspec.Struct, kw_only=True):
    data: list[InferenceRequestView]
    has_more: bool
    next_cursor: str | None


class DailyStatsView(msgspec.Struct, kw_only=True):
    deployment_id: uuid.UUID
    model_version_id: uuid.UUID
    """The version that answered (a deployment with a canary, or rolled out that day, has a row per version)."""
    day: date
    requests: int
    errors: int
    error_rate: float
    p50_latency_ms: float
    p95_latency_ms: float
    prompt_tokens: int
    completion_tokens: int

    @classmethod
    def of(cls, s: DailyStats) -> DailyStatsView:
        return cls(
            deployment_id=s.deployment_id,
            model_version_id=s.model_version_id,
            day=s.day,
            requests=s.requests,
            errors=s.errors,
            error_rate=round(s.error_rate, 6),
            p50_latency_ms=round(s.p50_latency_ms, 3),
            p95_latency_ms=round(s.p95_latency_ms, 3),
            prompt_tokens=s.prompt_tokens,
            completion_tokens=s.completion_tokens,
        )


class StatsView(msgspec.Struct, kw_only=True):
    since: date
    until: date
    days: list[DailyStatsView]

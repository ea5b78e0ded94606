"""What registry deletes once it has outlived its retention (run by ``mlp worker registry``)."""

from __future__ import annotations

from datetime import timedelta

from mlp.common.runtime.inbox import received_events_retention
from mlp.common.runtime.retention import RetentionRule
from mlp.registry.settings import RegistrySettings


def registry_retention(settings: RegistrySettings) -> tuple[RetentionRule, ...]:
    return (
        RetentionRule("inference_requests", "created_at", timedelta(days=settings.retention_inference_requests_days)),
        received_events_retention(settings.retention_received_events_days),
    )

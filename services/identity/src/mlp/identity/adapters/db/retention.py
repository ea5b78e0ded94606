"""What identity deletes once it has outlived its retention (run by ``mlp worker identity``)."""

from __future__ import annotations

from datetime import timedelta

from mlp.common.runtime.retention import RetentionRule
from mlp.identity.settings import IdentitySettings


def identity_retention(settings: IdentitySettings) -> tuple[RetentionRule, ...]:
    ended = timedelta(days=settings.retention_ended_sessions_days)
    months = timedelta(days=settings.retention_quota_months_days)
    return (
        RetentionRule("operation_events", "created_at", timedelta(days=settings.retention_operation_events_days)),
        RetentionRule("user_sessions", "expires_at", ended),
        RetentionRule("user_sessions", "revoked_at", ended, "revoked_at IS NOT NULL"),
        RetentionRule("api_key_usage", "window_start", timedelta(days=1), "window_kind = 'minute'"),
        RetentionRule("api_key_usage", "window_start", months, "window_kind = 'month'"),
    )

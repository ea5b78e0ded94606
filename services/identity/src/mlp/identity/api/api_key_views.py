"""How an API key is shown: never its secret; its quota use as it stands."""

from __future__ import annotations

from datetime import datetime

import msgspec

from mlp.identity.application.api_keys import ApiKeys
from mlp.identity.domain.api_keys import ApiKey
from mlp.identity.domain.quotas import QuotaDecision


class QuotaUse(msgspec.Struct):
    window: str
    limit: int
    used: int
    remaining: int
    resets_at: datetime


class ApiKeyView(msgspec.Struct):
    id: str
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    rotated_at: datetime | None
    revoked_at: datetime | None
    previous_secret_expires_at: datetime | None
    requests_per_minute: int | None
    requests_per_month: int | None
    quota_use: list[QuotaUse]


class ApiKeyCreated(msgspec.Struct):
    key: ApiKeyView
    secret: str
    """The whole key: store it now, it is never shown again."""


class ApiKeyPage(msgspec.Struct):
    items: list[ApiKeyView]
    next_after: str | None


async def key_views(api_keys: ApiKeys, keys: list[ApiKey]) -> list[ApiKeyView]:
    """The keys as shown, their quota use read in one query."""
    usage = await api_keys.usage(keys)
    return [_view(key, usage[key.id]) for key in keys]


async def key_view(api_keys: ApiKeys, key: ApiKey) -> ApiKeyView:
    return (await key_views(api_keys, [key]))[0]


def _view(key: ApiKey, usage: QuotaDecision) -> ApiKeyView:
    return ApiKeyView(
        id=str(key.id),
        name=key.name,
        prefix=key.prefix,
        scopes=key.scopes,
        created_at=key.created_at,
        expires_at=key.expires_at,
        last_used_at=key.last_used_at,
        rotated_at=key.rotated_at,
        revoked_at=key.revoked_at,
        previous_secret_expires_at=key.previous_secret_expires_at,
        requests_per_minute=key.requests_per_minute,
        requests_per_month=key.requests_per_month,
        quota_use=[QuotaUse(w.kind, w.limit, w.used, w.remaining, w.resets_at) for w in usage.windows],
    )

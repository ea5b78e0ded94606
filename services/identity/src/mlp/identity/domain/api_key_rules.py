"""What a valid API key request looks like; every refusal names the field at fault."""

from __future__ import annotations

from datetime import datetime, timedelta

from mlp.identity.domain.errors import InvalidInput
from mlp.identity.domain.scopes import SCOPE_CATALOGUE

MAX_NAME_LENGTH = 100
MAX_LIFETIME = timedelta(days=3 * 365)
MAX_PER_MINUTE = 1_000_000
MAX_PER_MONTH = 2_000_000_000
MAX_ROTATION_GRACE = timedelta(days=30)


def key_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH or not cleaned.isprintable():
        raise InvalidInput(f"name must be 1-{MAX_NAME_LENGTH} printable characters", field="name")
    return cleaned


def key_scopes(scopes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    if not scopes:
        raise InvalidInput("give at least one scope (see GET /v1/api-keys/scopes)", field="scopes")
    unknown = sorted(set(scopes) - SCOPE_CATALOGUE.keys())
    if unknown:
        raise InvalidInput(f"unknown scope(s): {', '.join(unknown[:5])}", field="scopes")
    return tuple(dict.fromkeys(scopes))


def key_expiry(expires_at: datetime | None, now: datetime) -> datetime | None:
    if expires_at is None:
        return None
    if expires_at.tzinfo is None:
        raise InvalidInput("expires_at needs a time zone (e.g. 2027-01-01T00:00:00Z)", field="expires_at")
    if expires_at <= now:
        raise InvalidInput("expires_at is in the past", field="expires_at")
    if expires_at - now > MAX_LIFETIME:
        raise InvalidInput("expires_at is more than 3 years away", field="expires_at")
    return expires_at


def quota(value: int | None, field: str, maximum: int) -> int | None:
    if value is not None and not 1 <= value <= maximum:
        raise InvalidInput(f"{field} must be between 1 and {maximum}", field=field)
    return value


def rotation_grace(seconds: int) -> timedelta:
    grace = timedelta(seconds=seconds)
    if grace < timedelta(0) or grace > MAX_ROTATION_GRACE:
        raise InvalidInput("grace_seconds must be between 0 and 30 days", field="grace_seconds")
    return grace

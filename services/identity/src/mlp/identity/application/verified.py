"""What verifying one credential yields: the principal, and headers for the caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from mlp.common.auth.principal import Principal
from mlp.identity.domain.quotas import QuotaDecision


@dataclass(frozen=True)
class Verified:
    principal: Principal
    headers: dict[str, str] = field(default_factory=dict)
    tokens_valid_after: int = 0
    """The user's revocation epoch (Unix seconds), for the services that cache this answer."""
    counted: bool = False
    """A quota-limited API key: counted on this call, so the answer must not be reused."""


class CredentialVerifier(Protocol):
    """Checks one kind of credential; ``accepts`` looks only at its shape."""

    def accepts(self, token: str) -> bool: ...

    async def verify(self, token: str) -> Verified: ...


def rate_limit_headers(decision: QuotaDecision, now: datetime) -> dict[str, str]:
    """``X-RateLimit-*`` for the window closest to its limit; ``Retry-After`` when refused."""
    window = decision.tightest
    if window is None:
        return {}
    headers = {
        "x-ratelimit-limit": str(window.limit),
        "x-ratelimit-remaining": str(window.remaining),
        "x-ratelimit-reset": str(max(0, int((window.resets_at - now).total_seconds()))),
        "x-ratelimit-window": window.kind,
    }
    if not decision.allowed:
        headers["retry-after"] = str(decision.retry_after(now))
    return headers

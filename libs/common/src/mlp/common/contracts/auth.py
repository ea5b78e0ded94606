"""Contract of identity's verification and token endpoints."""

from __future__ import annotations

import uuid

import msgspec

from mlp.common.auth.principal import Principal

PLATFORM_TOKEN_HEADER = "x-platform-token"
"""identity's verify answer carries the freshly minted platform token in this header."""


class VerifiedCaller(msgspec.Struct, frozen=True, kw_only=True):
    """identity's answer to ``POST /v1/auth/verify``."""

    principal: Principal
    platform_token: str
    expires_in: int


class MintTokenRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Body of identity's internal ``POST /internal/v1/tokens`` (service-credential only)."""

    user_id: uuid.UUID | None = None
    scopes: tuple[str, ...] = ()
    service: str | None = None


class MintedToken(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    token_type: str = "Bearer"
    expires_in: int = 0

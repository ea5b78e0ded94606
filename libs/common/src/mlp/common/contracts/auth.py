"""Contract of identity's verification and token endpoints."""

from __future__ import annotations

import uuid

import msgspec

from mlp.common.auth.principal import Principal

PLATFORM_TOKEN_HEADER = "x-platform-token"
"""identity's verify answer carries the platform token for the upstream in this header, and
only when a platform component (gateway, service) asked: a client never gets one."""

SERVICE_CREDENTIAL_HEADER = "x-service-credential"
"""Where the gateway and the services put their own ``mlpsvc_...`` credential when they ask
identity's verify about a client's credential (the client's stays in ``Authorization``)."""


class VerifiedCaller(msgspec.Struct, frozen=True, kw_only=True):
    """identity's answer to ``POST /v1/auth/verify``.

    ``tokens_valid_after`` (Unix seconds): the user's platform tokens issued before it are
    refused (revoke-all, account deletion); a service caching this answer compares each token's
    ``iat`` with it. ``platform_token`` is empty unless a platform component asked.
    """

    principal: Principal
    platform_token: str = ""
    expires_in: int = 0
    tokens_valid_after: int = 0


class MintTokenRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Body of identity's internal ``POST /internal/v1/tokens`` (service-credential only)."""

    user_id: uuid.UUID | None = None
    scopes: tuple[str, ...] = ()
    service: str | None = None
    caller_scopes: tuple[str, ...] | None = None
    """For a token acting for a user: the scopes of the caller the work is done for (the user's key
    or session). identity mints at most these, intersected with the service's allow-list."""


class MintedToken(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    token_type: str = "Bearer"
    expires_in: int = 0

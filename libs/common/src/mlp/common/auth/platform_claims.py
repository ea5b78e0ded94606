"""The claims of a platform token, and how they map to a Principal (both directions)."""

from __future__ import annotations

import uuid
from typing import Any

from mlp.common.auth.errors import InvalidToken
from mlp.common.auth.principal import Principal

PLATFORM_ISSUER = "mlp-identity"
PLATFORM_AUDIENCE = "mlp"
PLATFORM_ALGORITHM = "RS256"
SERVICE_SUBJECT_PREFIX = "service:"


def principal_to_claims(principal: Principal) -> dict[str, Any]:
    subject = f"{SERVICE_SUBJECT_PREFIX}{principal.service}" if principal.kind == "service" else str(principal.user_id)
    claims: dict[str, Any] = {"sub": subject, "scope": " ".join(principal.scopes)}
    if principal.session_id:
        claims["sid"] = str(principal.session_id)
    if principal.api_key_id:
        claims["akid"] = str(principal.api_key_id)
    if principal.actor:
        claims["act"] = {"sub": f"{SERVICE_SUBJECT_PREFIX}{principal.actor}"}
    return claims


def claims_to_principal(claims: dict[str, Any]) -> Principal:
    subject = claims.get("sub")
    scope = claims.get("scope", "")
    if not isinstance(subject, str) or not subject or not isinstance(scope, str):
        raise InvalidToken("token has no valid subject or scope")
    scopes = tuple(scope.split())
    if subject.startswith(SERVICE_SUBJECT_PREFIX):
        return Principal.for_service(subject.removeprefix(SERVICE_SUBJECT_PREFIX), scopes)
    try:
        return Principal(
            user_id=uuid.UUID(subject),
            scopes=scopes,
            session_id=_optional_uuid(claims.get("sid")),
            api_key_id=_optional_uuid(claims.get("akid")),
            actor=_actor(claims.get("act")),
        )
    except (ValueError, TypeError) as exc:
        raise InvalidToken("token subject is not a user id") from exc


def _optional_uuid(value: object) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


def _actor(act: object) -> str | None:
    """The service named by an RFC 8693 ``act`` claim (``{"sub": "service:<name>"}``)."""
    if act is None:
        return None
    subject = act.get("sub") if isinstance(act, dict) else None
    if not isinstance(subject, str) or not subject.startswith(SERVICE_SUBJECT_PREFIX):
        raise InvalidToken("token has an invalid act claim")
    return subject.removeprefix(SERVICE_SUBJECT_PREFIX)

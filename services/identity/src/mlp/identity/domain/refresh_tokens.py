"""Refresh tokens: ``rt_<session id>_<secret>``, stored as a SHA-256 digest, rotated on every use.

Naming the session lets a reused (already rotated) token be recognised as such: its session
is then revoked (theft detection, OAuth 2.0 Security BCP), since either the thief or the
rightful client holds the newest token and identity cannot tell which.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

PREFIX = "rt_"


def new_refresh_token(session_id: uuid.UUID) -> str:
    return f"{PREFIX}{session_id.hex}_{secrets.token_urlsafe(32)}"


def refresh_digest(refresh_token: str) -> bytes:
    return hashlib.sha256(refresh_token.encode()).digest()


def session_of(refresh_token: str) -> uuid.UUID | None:
    """The session a well-formed refresh token names, or None."""
    if not refresh_token.startswith(PREFIX):
        return None
    session_hex, _, secret = refresh_token.removeprefix(PREFIX).partition("_")
    try:
        return uuid.UUID(hex=session_hex) if len(session_hex) == 32 and secret else None
    except ValueError:
        return None

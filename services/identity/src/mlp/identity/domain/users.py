"""Users, as identity knows them: provisioned from Firebase on first sign-in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FirebaseIdentity:
    """What a verified Firebase ID token says about its user."""

    uid: str
    email: str | None = None
    email_verified: bool = False
    display_name: str | None = None
    photo_url: str | None = None
    auth_time: datetime | None = None
    issued_at: int | None = None
    """The ID token's ``iat`` (Unix seconds): compared with the user's revocation epoch."""


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    firebase_uid: str
    email: str | None
    email_verified: bool
    display_name: str | None
    photo_url: str | None
    created_at: datetime
    updated_at: datetime
    last_sign_in_at: datetime | None = None
    deleted_at: datetime | None = None
    tokens_valid_after: datetime | None = None
    """Credentials issued before this are refused (set by revoke-all and account deletion)."""

"""A stand-in for Google's Firebase Auth behind the ``FirebaseAuth`` port (external SaaS).

The real adapter has its own contract tests against the Firebase emulator and the RS256 path
(test_firebase_auth.py); this one lets API tests choose who is revoked or disabled.
"""

from __future__ import annotations

import dataclasses
import time
import uuid

import jwt

from mlp.common.auth.errors import AccountDisabled, CredentialRevoked, InvalidToken
from mlp.identity.domain.users import FirebaseIdentity


class FakeFirebase:
    def __init__(self) -> None:
        self.users: dict[str, FirebaseIdentity] = {}
        self.revoked: set[str] = set()
        self.disabled: set[str] = set()
        self.revocations: list[str] = []

    def new_user(self, email: str | None = None, name: str | None = None) -> tuple[str, str]:
        """A user and an ID token for them: ``(uid, id_token)``; tokens look like JWTs."""
        uid = uuid.uuid4().hex[:28]
        self.users[uid] = FirebaseIdentity(uid=uid, email=email or f"{uid}@example.com", display_name=name)
        return uid, self.token_for(uid)

    def token_for(self, uid: str) -> str:
        """Shaped like Firebase's (a JWT whose subject is the uid), but unsigned: only this fake reads it."""
        return jwt.encode({"sub": uid, "iss": "fake-firebase", "iat": int(time.time())}, None, algorithm="none")

    async def verify_id_token(self, id_token: str) -> FirebaseIdentity:
        try:
            claims = jwt.decode(id_token, options={"verify_signature": False})
            uid, issued_at = str(claims.get("sub")), claims.get("iat")
        except jwt.PyJWTError as exc:
            raise InvalidToken("invalid Firebase ID token") from exc
        if uid not in self.users:
            raise InvalidToken("invalid Firebase ID token")
        if uid in self.disabled:
            raise AccountDisabled("the Firebase user is disabled")
        if uid in self.revoked:
            raise CredentialRevoked("the Firebase ID token was revoked")
        return dataclasses.replace(self.users[uid], issued_at=issued_at if isinstance(issued_at, int) else None)

    async def revoke_refresh_tokens(self, uid: str) -> None:
        self.revocations.append(uid)
        self.revoked.add(uid)

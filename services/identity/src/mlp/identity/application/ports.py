"""What identity's use cases need from the outside world."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from mlp.identity.domain.signing_keys import SigningKey
from mlp.identity.domain.users import FirebaseIdentity


class SigningKeyRepository(Protocol):
    async def list_recent(self, since: datetime) -> list[SigningKey]:
        """Unretired keys, and keys retired after ``since``."""
        ...

    async def add(self, key: SigningKey) -> None: ...

    async def retire(self, kids: list[str], at: datetime) -> None: ...


class KeyFactory(Protocol):
    def new_key(self, now: datetime) -> SigningKey: ...


class TokenSigner(Protocol):
    def sign(self, claims: dict[str, Any], key: SigningKey) -> str: ...


class FirebaseAuth(Protocol):
    """Google's Firebase Auth (production) or its emulator (tests)."""

    async def verify_id_token(self, id_token: str) -> FirebaseIdentity:
        """Check signature, audience (project id), issuer, expiry, revocation and disabled state.

        Raises ``InvalidToken`` (malformed, expired, wrong audience/issuer, bad signature),
        ``CredentialRevoked`` (refresh tokens revoked, or the user was deleted),
        ``AccountDisabled`` or ``AuthUnavailable`` from ``mlp.common.auth.errors``.
        """
        ...

    async def revoke_refresh_tokens(self, uid: str) -> None:
        """Sign the user out of every Firebase client; tolerate an already deleted user."""
        ...

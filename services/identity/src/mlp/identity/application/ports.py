"""What identity's use cases need from the outside world."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from mlp.identity.domain.signing_keys import SigningKey


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

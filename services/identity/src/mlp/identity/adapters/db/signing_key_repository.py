"""Signing keys in ``identity.signing_keys``, shared by every identity replica."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.identity.adapters.db.tables import signing_keys
from mlp.identity.adapters.key_sealing import FernetKeySealer
from mlp.identity.domain.signing_keys import SigningKey


class SqlSigningKeyRepository:
    """Private halves are stored sealed (encrypted with the KEK), never as plain PEM."""

    def __init__(self, engine: AsyncEngine, sealer: FernetKeySealer) -> None:
        self._engine = engine
        self._sealer = sealer

    async def list_recent(self, since: datetime) -> list[SigningKey]:
        query = select(signing_keys).where(or_(signing_keys.c.retired_at.is_(None), signing_keys.c.retired_at > since))
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [SigningKey(**{**row, "private_key_pem": self._sealer.open(row["private_key_pem"])}) for row in rows]

    async def add(self, key: SigningKey) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(signing_keys).values(
                    kid=key.kid,
                    private_key_pem=self._sealer.seal(key.private_key_pem),
                    public_jwk=key.public_jwk,
                    created_at=key.created_at,
                )
            )

    async def retire(self, kids: list[str], at: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(signing_keys)
                .where(signing_keys.c.kid.in_(kids), signing_keys.c.retired_at.is_(None))
                .values(retired_at=at)
            )

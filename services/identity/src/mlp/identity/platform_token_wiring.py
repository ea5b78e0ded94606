"""The one way identity's entry points (API and outbox worker) build their PlatformTokens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.identity.adapters.db.signing_key_repository import SqlSigningKeyRepository
from mlp.identity.adapters.rsa_keys import RsaKeyFactory, RsaTokenSigner
from mlp.identity.application.platform_tokens import PlatformTokens
from mlp.identity.secret_material import key_sealer
from mlp.identity.settings import IdentitySettings


def platform_tokens(engine: AsyncEngine, settings: IdentitySettings) -> PlatformTokens:
    return PlatformTokens(
        SqlSigningKeyRepository(engine, key_sealer(settings)),
        RsaKeyFactory(),
        RsaTokenSigner(),
        token_lifetime=timedelta(seconds=settings.token_lifetime_seconds),
        rotate_after=timedelta(days=settings.key_rotation_days),
    )

"""identity's composition root: ``create_app`` wires settings, adapters and controllers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide

from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.whoami import whoami
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.service_app import build_service_app
from mlp.identity.adapters.db.signing_key_repository import SqlSigningKeyRepository
from mlp.identity.adapters.db.tables import SCHEMA
from mlp.identity.adapters.rsa_keys import KeyRingKeySource, RsaKeyFactory, RsaTokenSigner
from mlp.identity.api.internal_tokens import mint_token
from mlp.identity.api.jwks import jwks
from mlp.identity.api.verify import verify_caller
from mlp.identity.application.caller_verification import CallerVerification
from mlp.identity.application.credential_resolver import IdentityCredentialResolver
from mlp.identity.application.platform_tokens import PlatformTokens
from mlp.identity.domain.service_credentials import ServiceCredentials
from mlp.identity.settings import IdentitySettings, identity_settings


def create_app(settings: IdentitySettings | None = None) -> Litestar:
    settings = settings or identity_settings()
    configure_logging("identity", settings.log_level)
    services = ServiceCredentials.parse(settings.service_credentials)

    @asynccontextmanager
    async def wire(app: Litestar) -> AsyncIterator[None]:
        tokens = PlatformTokens(
            SqlSigningKeyRepository(app.state.engine),
            RsaKeyFactory(),
            RsaTokenSigner(),
            token_lifetime=timedelta(seconds=settings.token_lifetime_seconds),
            rotate_after=timedelta(days=settings.key_rotation_days),
        )
        app.state.platform_tokens = tokens
        verifier = PlatformTokenVerifier(KeyRingKeySource(tokens.published_keys))
        app.state.resolver = IdentityCredentialResolver(verifier, services)
        app.state.caller_verification = CallerVerification(verifier, tokens, verifiers=[])
        yield

    return build_service_app(
        name="identity",
        package="mlp.identity",
        schema=SCHEMA,
        database_url=settings.database_url,
        db_pool_size=settings.db_pool_size,
        route_handlers=[jwks, mint_token, verify_caller, whoami],
        lifespans=[wire],
        dependencies={
            "platform_tokens": Provide(_platform_tokens, sync_to_thread=False),
            "caller_verification": Provide(_caller_verification, sync_to_thread=False),
        },
    )


def _platform_tokens(state: State) -> PlatformTokens:
    tokens: PlatformTokens = state.platform_tokens
    return tokens


def _caller_verification(state: State) -> CallerVerification:
    verification: CallerVerification = state.caller_verification
    return verification

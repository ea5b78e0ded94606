"""identity's composition root: ``create_app`` wires settings, adapters and controllers.

External SaaS comes in through ports that tests may replace (``firebase``); everything that
needs the database is built in the lifespan, once ``app.state.engine`` exists.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import asyncpg
from litestar import Litestar

from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.whoami import whoami
from mlp.common.runtime.database import plain_database_url
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.problems import domain_error_handler
from mlp.common.runtime.service_app import build_service_app, state_dependencies
from mlp.identity.adapters.db.tables import SCHEMA
from mlp.identity.adapters.db.unit_of_work import SqlUnitOfWork
from mlp.identity.adapters.db.usage_counter import SqlUsageStore
from mlp.identity.adapters.outbox import PgQueuerOutbox, parse_subscribers
from mlp.identity.adapters.rsa_keys import KeyRingKeySource
from mlp.identity.api.request_context import remember_request
from mlp.identity.api.routes import ROUTES
from mlp.identity.application.accounts import Accounts
from mlp.identity.application.api_key_verification import ApiKeyVerifier
from mlp.identity.application.api_keys import ApiKeys
from mlp.identity.application.audit_trail import AuditTrail
from mlp.identity.application.caller_verification import CallerVerification
from mlp.identity.application.credential_cache import CredentialCache
from mlp.identity.application.credential_resolver import IdentityCredentialResolver
from mlp.identity.application.firebase_verification import FirebaseTokenVerifier
from mlp.identity.application.grant_checks import GrantChecks
from mlp.identity.application.ports import FirebaseAuth, UnitOfWork
from mlp.identity.application.quota_leases import LeasedUsageCounter
from mlp.identity.application.service_tokens import ServiceTokens
from mlp.identity.application.session_refresh import SessionRefresh
from mlp.identity.application.sessions import Sessions
from mlp.identity.application.sign_in import SignIn
from mlp.identity.application.verified import CredentialVerifier
from mlp.identity.domain.errors import InvalidInput, NotFound
from mlp.identity.domain.service_credentials import ServiceCredentials
from mlp.identity.domain.service_scopes import ServiceScopes
from mlp.identity.platform_token_wiring import platform_tokens
from mlp.identity.secret_material import key_hasher
from mlp.identity.settings import IdentitySettings, identity_settings

QUOTA_COUNTER_SETTINGS = {"synchronous_commit": "off"}
"""Quota counts are written on every API-key call; not waiting for the WAL flush makes that
cheap, and a crash can lose at most the last fraction of a second of counts."""

USE_CASES = (
    "platform_tokens",
    "caller_verification",
    "sign_in_flow",
    "session_refresh",
    "sessions",
    "api_keys",
    "accounts",
    "audit_trail",
    "service_tokens",
)


def create_app(settings: IdentitySettings | None = None, *, firebase: FirebaseAuth | None = None) -> Litestar:
    settings = settings or identity_settings()
    hasher = key_hasher(settings)  # refuses development secrets outside development
    configure_logging("identity", settings.log_level)
    services = ServiceCredentials.parse(settings.service_credentials)
    service_scopes = ServiceScopes.parse(settings.service_scopes)
    subscribers = list(parse_subscribers(settings.user_deleted_subscribers))
    if firebase is None:
        from mlp.identity.adapters.firebase_auth import FirebaseAdminAuth

        firebase = FirebaseAdminAuth(settings.firebase_project_id)
    firebase_auth: FirebaseAuth = firebase

    @asynccontextmanager
    async def wire(app: Litestar) -> AsyncIterator[None]:
        engine = app.state.engine

        def uow() -> UnitOfWork:
            return SqlUnitOfWork(engine, lambda conn: PgQueuerOutbox(conn, subscribers))

        tokens = platform_tokens(engine, settings)
        usage_pool = await asyncpg.create_pool(
            plain_database_url(settings.database_url),
            min_size=1,
            max_size=settings.usage_pool_size,
            server_settings=QUOTA_COUNTER_SETTINGS,
        )
        usage = LeasedUsageCounter(SqlUsageStore(usage_pool))
        cache = CredentialCache(
            settings.credential_cache_seconds, settings.firebase_cache_seconds, settings.credential_cache_entries
        )
        grants = GrantChecks(uow, cache)
        verifiers: list[CredentialVerifier] = [
            ApiKeyVerifier(uow, usage, hasher, cache, grants),
            FirebaseTokenVerifier(uow, firebase_auth, cache, grants),
        ]
        own_tokens = PlatformTokenVerifier(KeyRingKeySource(tokens.published_keys))
        callers = CallerVerification(own_tokens, tokens, verifiers, grants, services)
        app.state.update(
            resolver=IdentityCredentialResolver(callers, services),
            platform_tokens=tokens,
            caller_verification=callers,
            sign_in_flow=SignIn(
                uow, firebase_auth, tokens, session_lifetime=timedelta(days=settings.session_lifetime_days)
            ),
            session_refresh=SessionRefresh(
                uow,
                firebase_auth,
                tokens,
                cache,
                firebase_recheck=timedelta(seconds=settings.firebase_recheck_seconds),
            ),
            sessions=Sessions(uow, firebase_auth, cache),
            api_keys=ApiKeys(uow, usage, hasher, cache),
            accounts=Accounts(uow, firebase_auth, cache),
            audit_trail=AuditTrail(uow),
            service_tokens=ServiceTokens(tokens, grants, service_scopes),
        )
        try:
            yield
        finally:
            await usage_pool.close()

    return build_service_app(
        name="identity",
        package="mlp.identity",
        schema=SCHEMA,
        database_url=settings.database_url,
        db_pool_size=settings.db_pool_size,
        route_handlers=[*ROUTES, whoami],
        lifespans=[wire],
        dependencies=state_dependencies(*USE_CASES),
        exception_handlers_extra={InvalidInput: domain_error_handler(422), NotFound: domain_error_handler(404)},
        before_request=remember_request,
    )

"""Cross-service fixtures: the four services (and identity's outbox worker) as real processes on loopback."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator

import asyncpg
import httpx
import pytest
from stripe_standin import StripeState, stripe_standin

from mlp.common.auth.principal import Principal
from mlp.common.runtime.database import create_engine, plain_database_url
from mlp.devtools.databases import migrated_database
from mlp.devtools.firebase_emulator import EMULATOR_HOST_ENV, FirebaseEmulator
from mlp.devtools.gateway import NginxGateway
from mlp.devtools.processes import ServiceProcess, platform_env, start_platform, stop_all
from mlp.identity.platform_token_wiring import platform_tokens
from mlp.identity.settings import IdentitySettings

PORT_OFFSET = int(os.environ.get("MLP_TEST_PORT_OFFSET", "10000"))
"""18001-18004 by default, clear of `make run`'s 8001-8004; another checkout running its tests at once sets its own."""

FAST_OUTBOX_RETRIES = {
    # redeliveries in tests: 0.2 s, 0.4 s, then every second at most (production: 1 s doubling to 5 min)
    "OUTBOX_RETRY_BASE_SECONDS": "0.2",
    "OUTBOX_RETRY_MAX_SECONDS": "1",
}


LOOPBACK_EGRESS = {"EGRESS_ALLOW": "127.0.0.0/8,::1,localhost", "REGISTRY_ALLOW_INTERNAL_UPSTREAMS": "true"}
"""Deployments and webhooks in tests point at servers on loopback (refused by default: the egress
guard); the second name is the previous release's, which test_previous_release_on_new_schema runs."""

STRIPE_WEBHOOK_SECRET = "whsec_platform_tests"


@pytest.fixture(scope="session")
def stripe_api() -> Iterator[tuple[str, StripeState]]:
    """billing's Stripe: the local stand-in (its base URL and what it keeps), reached by the real SDK."""
    with stripe_standin() as standin:
        yield standin


@pytest.fixture(scope="session")
def database_url(pg_server_url: str) -> Iterator[str]:
    """The cross-service tests' own database (overriding the plugin's): their platform's workers
    consume its queues, which the services' own tests, on the plugin's database, look into."""
    with migrated_database(pg_server_url, "mlp_platform") as url:
        yield url


@pytest.fixture(scope="session")
def platform_env_vars(database_url: str, stripe_api: tuple[str, StripeState]) -> dict[str, str]:
    # identity signs users in through the Firebase Auth emulator (started by the tests that need it)
    emulator = {EMULATOR_HOST_ENV: FirebaseEmulator().host_port}
    stripe = {
        "BILLING_STRIPE_API_KEY": "sk_test_standin",
        "BILLING_STRIPE_API_BASE": stripe_api[0],
        "BILLING_STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
    }
    return platform_env(
        database_url,
        base_port_offset=PORT_OFFSET,
        extra={"LOG_LEVEL": "WARNING", **FAST_OUTBOX_RETRIES, **LOOPBACK_EGRESS, **emulator, **stripe},
    )


@pytest.fixture(scope="session")
def platform_processes(platform_env_vars: dict[str, str]) -> Iterator[list[ServiceProcess]]:
    """The running processes: the four APIs, then identity's worker (``worker=True``)."""
    processes = start_platform(platform_env_vars)
    yield processes
    stop_all(processes)


@pytest.fixture(scope="session")
def gateway(platform_processes: list[ServiceProcess]) -> Iterator[str]:
    """The real gateway (nginx, deploy/gateway's configuration) in front of the platform: its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nginx = NginxGateway({p.service: p.port for p in platform_processes if not p.worker}, port).start()
    yield nginx.url
    nginx.stop()


@pytest.fixture(scope="session")
def platform(platform_processes: list[ServiceProcess]) -> dict[str, str]:
    """Service name -> base URL of the running services."""
    return {p.service: p.url for p in platform_processes if not p.worker}


@pytest.fixture(scope="session")
async def identity_service_token(platform: dict[str, str], database_url: str) -> str:
    """identity's own service token, minted as its worker mints it (PlatformTokens over the key table)."""
    # identity loads (or makes) its signing key first, so its JWKS already publishes the key used here
    async with httpx.AsyncClient() as client:
        (await client.get(f"{platform['identity']}/.well-known/jwks.json")).raise_for_status()
    engine = create_engine(database_url, pool_size=1)
    try:
        tokens = platform_tokens(engine, IdentitySettings(environment="development"))
        return (await tokens.issue(Principal.for_service("identity"))).token
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def mint_token(platform: dict[str, str], platform_env_vars: dict[str, str]) -> Callable[[dict[str, object]], str]:
    """Platform tokens from identity's internal endpoint (asked with registry's credential):
    ``mint_token({"user_id": ..., "scopes": [...]})`` or ``mint_token({"service": "registry"})``."""

    def mint(body: dict[str, object]) -> str:
        response = httpx.post(
            f"{platform['identity']}/internal/v1/tokens",
            json=body,
            headers={"authorization": f"Bearer {platform_env_vars['REGISTRY_SERVICE_CREDENTIAL']}"},
        )
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token

    return mint


@pytest.fixture
async def identity_user(platform: dict[str, str], database_url: str) -> uuid.UUID:
    """A user row in identity (as a first sign-in makes it): delegated tokens need an existing user."""
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        user_id: uuid.UUID = await conn.fetchval(
            "INSERT INTO identity.users (firebase_uid) VALUES ($1) RETURNING id", uuid.uuid4().hex
        )
    finally:
        await conn.close()
    return user_id

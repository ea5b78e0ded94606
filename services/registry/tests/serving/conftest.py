"""Serving tests over real HTTP: identity and registry in process on loopback ports, the test model
server (libs/devtools) as the upstream, real PostgreSQL. Firebase is faked at identity's port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from serving_helpers import FIREBASE, SCOPES, Registry, User, new_user, serve
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.common.runtime.database import create_engine
from mlp.devtools.model_server import ModelServer
from mlp.identity.app import create_app as create_identity
from mlp.identity.settings import IdentitySettings
from mlp.registry.app import create_app as create_registry
from mlp.registry.settings import RegistrySettings


@pytest.fixture(scope="session")
def model_server() -> Iterator[ModelServer]:
    server = ModelServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def identity_url(database_url: str) -> AsyncIterator[str]:
    settings = IdentitySettings(
        database_url=database_url,
        environment="development",
        service_credentials="mlpsvc_registry_" + "s" * 32,
        user_deleted_subscribers="testsink=http://127.0.0.1:1",
        credential_cache_seconds=0.0,
        log_level="WARNING",
    )
    server, task, url = await serve(create_identity(settings, firebase=FIREBASE))
    yield url
    server.should_exit = True
    await task


@pytest.fixture(scope="session")
async def registry(database_url: str, identity_url: str) -> AsyncIterator[Registry]:
    settings = RegistrySettings(
        database_url=database_url,
        identity_url=identity_url,
        egress_allow="127.0.0.0/8,::1,localhost",
        inference_log_flush_seconds=0.05,
        deployment_cache_seconds=0.0,
        log_level="WARNING",
    )

    app = create_registry(settings)
    server, task, url = await serve(app)
    yield Registry(url, app)
    server.should_exit = True
    await task


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def user(identity_url: str, registry: Registry) -> AsyncIterator[User]:
    person = await new_user(identity_url, registry.url, SCOPES)
    yield person
    await person.http.aclose()

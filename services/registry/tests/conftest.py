"""registry's tests: the real app (in process) on real PostgreSQL; platform tokens signed with a test key."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from model_registry_harness import ModelRegistry
from platform_tokens import SigningKeys
from registry_fakes import FakeClock, RecordingAuditOutbox
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.common.runtime.database import create_engine
from mlp.registry.app import create_app
from mlp.registry.settings import RegistrySettings


@pytest.fixture(scope="session")
def keys() -> SigningKeys:
    return SigningKeys()


@pytest.fixture(scope="session")
def registry_settings(database_url: str) -> RegistrySettings:
    return RegistrySettings(database_url=database_url, log_level="WARNING", model_page_size_max=100)


@pytest.fixture(scope="session")
def registry_app(registry_settings: RegistrySettings) -> Litestar:
    """With the real outbox: audit events become jobs in ``registry.pgqueuer``."""
    return create_app(registry_settings)


@pytest.fixture(scope="session")
async def client(registry_app: Litestar, keys: SigningKeys) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=registry_app) as test_client:
        registry_app.state.resolver = keys.resolver()
        yield test_client


@pytest.fixture
def user(keys: SigningKeys) -> Callable[..., dict[str, str]]:
    """Headers of a new user (``user()``), or of a given one (``user(user_id, scopes=...)``)."""

    def headers(user_id: uuid.UUID | None = None, scopes: str = "models:read models:write") -> dict[str, str]:
        return {"authorization": f"Bearer {keys.token(user_id or uuid.uuid4(), scopes)}"}

    return headers


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=20)
    yield engine
    await engine.dispose()


@pytest.fixture
def registry(engine: AsyncEngine) -> ModelRegistry:
    return ModelRegistry(engine, FakeClock(), RecordingAuditOutbox())

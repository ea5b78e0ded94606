"""registry's tests: the real app in process on real PostgreSQL, callers with platform tokens
signed by a test key (verified by the real ``PlatformTokenVerifier``), the outbox recorded."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from model_registry_harness import ModelRegistry
from platform_tokens import SigningKeys
from registry_fakes import FakeClock, RecordingOutbox
from registry_users import User
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.common.runtime.database import create_engine
from mlp.devtools.spend_limits import SettableSpendLimits
from mlp.registry.app import create_app
from mlp.registry.settings import RegistrySettings

TEST_MAX_UPLOAD = 12 * 1024 * 1024
TEST_QUOTA = 64 * 1024 * 1024


@pytest.fixture(scope="session")
def keys() -> SigningKeys:
    return SigningKeys()


@pytest.fixture(scope="session")
def outbox() -> RecordingOutbox:
    return RecordingOutbox()


@pytest.fixture(scope="session")
def registry_settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> RegistrySettings:
    return RegistrySettings(
        database_url=database_url,
        data_dir=str(tmp_path_factory.mktemp("blobs")),
        max_upload_bytes=TEST_MAX_UPLOAD,
        storage_quota_bytes=TEST_QUOTA,
        csv_inline_max_bytes=16 * 1024 * 1024,
        csv_max_columns=50,
        csv_max_field_chars=64 * 1024,
        csv_max_problems=10,
        model_page_size_max=100,
        log_level="WARNING",
    )


@pytest.fixture(scope="session")
def spend_limits() -> SettableSpendLimits:
    return SettableSpendLimits()


@pytest.fixture(scope="session")
async def client(
    registry_settings: RegistrySettings, keys: SigningKeys, outbox: RecordingOutbox, spend_limits: SettableSpendLimits
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(registry_settings, outbox=outbox, resolver=keys.resolver(), spend_limits=spend_limits)
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
async def real_outbox_client(
    registry_settings: RegistrySettings, keys: SigningKeys
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """With the real outbox: audit and usage events become jobs in ``registry.pgqueuer``."""
    async with AsyncTestClient(app=create_app(registry_settings, resolver=keys.resolver())) as test_client:
        yield test_client


@pytest.fixture
def new_user(keys: SigningKeys) -> Callable[..., User]:
    return lambda scopes="datasets:*": User(keys, scopes)


@pytest.fixture
def user(keys: SigningKeys) -> Callable[..., dict[str, str]]:
    """Headers of a new user (``user()``), or of a given one (``user(user_id, scopes=...)``)."""

    def headers(user_id: uuid.UUID | None = None, scopes: str = "models:read models:write") -> dict[str, str]:
        return {"authorization": f"Bearer {keys.token(user_id or uuid.uuid4(), scopes)}"}

    return headers


@pytest.fixture
def blob_root(registry_settings: RegistrySettings) -> Path:
    return Path(registry_settings.data_dir)


@pytest.fixture(scope="session")
async def small_quota_client(
    registry_settings: RegistrySettings, keys: SigningKeys, outbox: RecordingOutbox
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The app with a 100 kB storage quota, 64 kB uploads, CSV files over 1 kB ingested by the worker,
    and 3 versions per dataset."""
    settings = msgspec.structs.replace(
        registry_settings,
        storage_quota_bytes=100_000,
        max_upload_bytes=64 * 1024,
        csv_inline_max_bytes=1024,
        dataset_max_versions=3,
    )
    async with AsyncTestClient(app=create_app(settings, outbox=outbox, resolver=keys.resolver())) as test_client:
        yield test_client


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=20)
    yield engine
    await engine.dispose()


@pytest.fixture
def registry(engine: AsyncEngine) -> ModelRegistry:
    return ModelRegistry(engine, FakeClock(), RecordingOutbox())

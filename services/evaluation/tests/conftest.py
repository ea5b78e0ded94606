"""evaluation's API tests: the real app in process on real PostgreSQL; registry and identity faked at
their ports (``Gateways``), platform tokens signed with a test key and checked by the real verifier."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from evaluation_fakes import FakeChatModel, FakeDatasetRows, FakeDeployments, FakeUserTokens
from jwt.algorithms import RSAAlgorithm
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.resolver import ServiceCredentialResolver
from mlp.common.runtime.database import create_engine
from mlp.devtools.databases import migrate_all
from mlp.devtools.spend_limits import SettableSpendLimits
from mlp.evaluation.adapters.check_processes import ProcessChecks, check_processes
from mlp.evaluation.adapters.db.unit_of_work import SqlUnitOfWork
from mlp.evaluation.adapters.outbox import QueueOutbox
from mlp.evaluation.app import create_app
from mlp.evaluation.application.limits import ExecutionLimits
from mlp.evaluation.application.row_evaluation import RowEvaluator
from mlp.evaluation.application.run_executor import RunExecutor
from mlp.evaluation.domain.check_batch import CheckBatch
from mlp.evaluation.domain.checks import CheckLimits
from mlp.evaluation.domain.criterion_types import JsonValid
from mlp.evaluation.settings import EvaluationSettings
from mlp.evaluation.wiring import Gateways

KID = "evaluation-test"


class StaticKeys:
    def __init__(self, key: jwt.PyJWK) -> None:
        self.key = key

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        return self.key if kid == KID else None


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def gateways() -> Gateways:
    return Gateways(FakeDatasetRows(), FakeChatModel(), FakeDeployments(), FakeUserTokens())


@pytest.fixture(scope="session")
def evaluation_settings(database_url: str) -> EvaluationSettings:
    return EvaluationSettings(database_url=database_url, log_level="WARNING", progress_interval_seconds=0.05)


@pytest.fixture(scope="session")
def resolver(signing_key: rsa.RSAPrivateKey) -> ServiceCredentialResolver:
    """The real platform-token check, with the test key as identity's published key."""
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(signing_key.public_key(), as_dict=True)
    keys = StaticKeys(jwt.PyJWK.from_dict({**jwk, "kid": KID, "alg": "RS256"}))
    return ServiceCredentialResolver(PlatformTokenVerifier(keys), None)


@pytest.fixture(scope="session")
def spend_limits() -> SettableSpendLimits:
    return SettableSpendLimits()


@pytest.fixture(scope="session")
async def client(
    evaluation_settings: EvaluationSettings,
    gateways: Gateways,
    resolver: ServiceCredentialResolver,
    spend_limits: SettableSpendLimits,
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(evaluation_settings, gateways=gateways, resolver=resolver, spend_limits=spend_limits)
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@dataclass
class User:
    id: uuid.UUID
    headers: dict[str, str]


@pytest.fixture(scope="session")
def user(signing_key: rsa.RSAPrivateKey) -> Callable[..., User]:
    def make(
        scopes: str = "evals:* datasets:read inference", service: str | None = None, user_id: uuid.UUID | None = None
    ) -> User:
        user_id = user_id or uuid.uuid4()
        now = int(time.time())
        subject = f"service:{service}" if service else str(user_id)
        claims = {"sub": subject, "scope": scopes, "iss": "mlp-identity", "aud": "mlp", "iat": now, "exp": now + 600}
        token = jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": KID})
        return User(user_id, {"authorization": f"Bearer {token}"})

    return make


@pytest.fixture
async def own_database(empty_database_url: str) -> str:
    """A database with only evaluation migrated: no other test's queued jobs for worker processes."""
    await migrate_all(empty_database_url, ("evaluation",))
    return empty_database_url


@pytest.fixture(scope="session")
async def checks() -> AsyncIterator[ProcessChecks]:
    """The worker's check processes (one here), started before the first test's rows time out."""
    with check_processes(1, 512 * 1024 * 1024) as runner:
        await runner.judge(CheckBatch((("json_valid", JsonValid()),), "{}", {}, CheckLimits()), 60.0)
        yield runner


@pytest.fixture(scope="session")
async def execute_run(
    evaluation_settings: EvaluationSettings, gateways: Gateways, checks: ProcessChecks
) -> AsyncIterator[Callable[[str], Any]]:
    """What the worker's handler does with a queued run id: the executor on the real tables."""
    engine = create_engine(evaluation_settings.database_url, pool_size=4)
    limits = ExecutionLimits(concurrency=4, flush_interval_seconds=0.02, row_timeout_seconds=2)
    executor = RunExecutor(
        lambda: SqlUnitOfWork(engine, QueueOutbox),
        gateways.rows,
        RowEvaluator(gateways.chat, checks, limits),
        gateways.tokens,
        limits,
    )

    async def execute(run_id: str) -> None:
        await executor.execute(uuid.UUID(run_id))

    yield execute
    await engine.dispose()

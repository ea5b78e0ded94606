"""What every service shares: health probes, problem+json errors, request ids, OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import structlog
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.common.auth.errors import AuthError, Forbidden, QuotaExceeded
from mlp.common.auth.principal import Principal
from mlp.common.contracts.events import USER_DELETED_PATH
from mlp.common.runtime import logging as runtime_logging
from mlp.registry.app import create_app
from mlp.registry.settings import RegistrySettings


@pytest.fixture
async def registry(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(
        RegistrySettings(database_url=database_url, identity_url="http://127.0.0.1:9", log_level="WARNING")
    )
    async with AsyncTestClient(app=app) as client:
        yield client


async def test_probes_report_live_and_ready(registry: AsyncTestClient[Litestar]) -> None:
    assert (await registry.get("/healthz")).json() == {"status": "ok"}
    ready = await registry.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["schema"] == "registry"


async def test_not_ready_on_an_unmigrated_database(empty_database_url: str) -> None:
    settings = RegistrySettings(database_url=empty_database_url, log_level="WARNING")
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:mlp:problem:not-ready"


async def test_not_ready_when_the_database_is_unreachable() -> None:
    settings = RegistrySettings(database_url="postgresql://nobody:x@127.0.0.1:9/none", log_level="WARNING")
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert "unreachable" in response.json()["detail"]


async def test_errors_are_problem_json_with_the_request_id(registry: AsyncTestClient[Litestar]) -> None:
    missing = await registry.get("/no/such/route", headers={"x-request-id": "trace-42"})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.headers["x-request-id"] == "trace-42"
    body = missing.json()
    assert body["type"] == "urn:mlp:problem:not-found"
    assert body["instance"] == "/no/such/route"
    made_up = await registry.get("/healthz")
    assert len(made_up.headers["x-request-id"]) == 32


async def test_identity_unreachable_is_503_not_500(registry: AsyncTestClient[Litestar]) -> None:
    response = await registry.get("/v1/whoami", headers={"authorization": "Bearer mlp_live_abcdefghijkl_" + "A" * 40})
    assert response.status_code == 503
    assert response.json()["type"] == "urn:mlp:problem:auth-unavailable"


async def test_openapi_is_published(registry: AsyncTestClient[Litestar]) -> None:
    schema = (await registry.get("/schema/openapi.json")).json()
    assert "/v1/whoami" in schema["paths"]
    assert (await registry.get("/schema")).status_code == 200


class RefusingResolver:
    """Stands in for identity's verdict: every credential is refused with ``error``."""

    def __init__(self, error: AuthError) -> None:
        self.error = error

    def known(self, authorization: str) -> Principal | None:
        return None

    async def resolve(self, authorization: str) -> Principal:
        raise self.error


@pytest.mark.parametrize(
    ("refusal", "status"),
    [(Forbidden("no"), 403), (QuotaExceeded("slow down", headers={"retry-after": "7"}), 429)],
)
async def test_the_access_log_records_the_status_of_a_refusal_in_the_middleware(
    registry: AsyncTestClient[Litestar], monkeypatch: pytest.MonkeyPatch, refusal: AuthError, status: int
) -> None:
    access_log = structlog.testing.CapturingLogger()
    monkeypatch.setattr(runtime_logging, "_access_log", access_log)
    monkeypatch.setattr(registry.app.state, "resolver", RefusingResolver(refusal))

    response = await registry.get("/v1/whoami", headers={"authorization": "Bearer anything"})

    assert response.status_code == status
    assert [call.kwargs["status"] for call in access_log.calls] == [status]
    assert len(response.headers["x-request-id"]) == 32


async def test_the_access_log_records_a_missing_credential_as_401(
    registry: AsyncTestClient[Litestar], monkeypatch: pytest.MonkeyPatch
) -> None:
    access_log = structlog.testing.CapturingLogger()
    monkeypatch.setattr(runtime_logging, "_access_log", access_log)
    response = await registry.post(USER_DELETED_PATH, json={}, headers={"x-request-id": "trace-7"})
    assert response.status_code == 401
    assert response.headers["x-request-id"] == "trace-7"
    assert [(c.kwargs["status"], c.kwargs["path"]) for c in access_log.calls] == [(401, USER_DELETED_PATH)]

"""identity's API tests: the real app (in process) on real PostgreSQL, Firebase faked at its port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fakes import FakeFirebase
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.identity.app import create_app
from mlp.identity.settings import IdentitySettings

SERVICE_CREDENTIAL = "mlpsvc_registry_" + "s" * 32


@pytest.fixture(scope="session")
def firebase() -> FakeFirebase:
    return FakeFirebase()


@pytest.fixture(scope="session")
def identity_settings(database_url: str) -> IdentitySettings:
    return IdentitySettings(
        database_url=database_url,
        environment="development",  # the development pepper and KEK are allowed
        service_credentials=SERVICE_CREDENTIAL,
        user_deleted_subscribers="testsink=http://127.0.0.1:1",  # unknown to any running worker
        credential_cache_seconds=0.0,
        firebase_cache_seconds=0.0,
        log_level="WARNING",
    )


@pytest.fixture(scope="session")
async def client(
    identity_settings: IdentitySettings, firebase: FakeFirebase
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(identity_settings, firebase=firebase)
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


class SignedInUser:
    def __init__(self, uid: str, body: dict[str, Any]) -> None:
        self.uid = uid
        self.body = body
        self.user_id: str = body["user"]["id"]
        self.headers = {"authorization": f"Bearer {body['platform_token']}"}


@pytest.fixture
async def sign_in(client: AsyncTestClient[Litestar], firebase: FakeFirebase) -> Any:
    async def signed_in(uid: str | None = None, user_agent: str = "pytest") -> SignedInUser:
        if uid is None:
            uid, _ = firebase.new_user()
        response = await client.post(
            "/v1/auth/sign-in", json={"id_token": firebase.token_for(uid)}, headers={"user-agent": user_agent}
        )
        assert response.status_code == 201, response.text
        return SignedInUser(uid, response.json())

    return signed_in

"""GET /internal/v1/users/{id}: a user's contact email for the platform's services, never for a user."""

from __future__ import annotations

import uuid
from typing import Any

from conftest import SignedInUser
from litestar import Litestar
from litestar.testing import AsyncTestClient
from test_service_tokens import mint

Client = AsyncTestClient[Litestar]


async def test_a_service_reads_a_users_email_and_a_user_may_not(client: Client, sign_in: Any) -> None:
    me: SignedInUser = await sign_in()
    service = {"authorization": f"Bearer {(await mint(client, {'service': 'registry'})).json()['token']}"}
    found = await client.get(f"/internal/v1/users/{me.user_id}", headers=service)
    assert found.status_code == 200, found.text
    profile = (await client.get("/v1/me", headers=me.headers)).json()
    assert found.json() == {"id": me.user_id, "email": profile["email"]}
    assert (await client.get(f"/internal/v1/users/{me.user_id}", headers=me.headers)).status_code == 403
    assert (await client.get(f"/internal/v1/users/{uuid.uuid4()}", headers=service)).status_code == 404

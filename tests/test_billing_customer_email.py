"""billing learns a user's email from identity (service-only ``GET /internal/v1/users/{id}``) for their
Stripe customer: real identity, billing's real adapter and its own service credential; a user may not ask."""

from __future__ import annotations

import uuid

import asyncpg
import httpx

from mlp.billing.adapters.http.identity_emails import identity_emails
from mlp.common.runtime.database import plain_database_url


async def test_billing_reads_the_email_identity_knows_and_none_for_an_unknown_user(
    platform: dict[str, str], platform_env_vars: dict[str, str], database_url: str
) -> None:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        user_id = await conn.fetchval(
            "INSERT INTO identity.users (firebase_uid, email) VALUES ($1, $2) RETURNING id", uuid.uuid4().hex, email
        )
    finally:
        await conn.close()
    async with httpx.AsyncClient() as http:
        emails = identity_emails(http, platform["identity"], platform_env_vars["BILLING_SERVICE_CREDENTIAL"])
        assert await emails.email_of(user_id) == email
        assert await emails.email_of(uuid.uuid4()) is None
        as_user = await http.get(f"{platform['identity']}/internal/v1/users/{user_id}")
        assert as_user.status_code == 401

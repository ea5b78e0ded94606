"""Through the real gateway (nginx) to the real services: a client cannot choose the address its
session records. The gateway overwrites X-Forwarded-For with the address it saw."""

from __future__ import annotations

import uuid

import asyncpg
import httpx

from mlp.common.runtime.database import plain_database_url
from mlp.devtools.firebase_emulator import FirebaseEmulator


async def test_a_forged_x_forwarded_for_is_not_what_the_session_records(
    firebase_emulator: FirebaseEmulator, gateway: str, database_url: str
) -> None:
    person = await firebase_emulator.create_user(display_name="Mallory")
    forged = {"x-forwarded-for": "203.0.113.66", "x-real-ip": "203.0.113.66"}
    async with httpx.AsyncClient(timeout=30) as http:
        signed_in = await http.post(
            f"{gateway}/identity/v1/auth/sign-in", json={"id_token": person.id_token}, headers=forged
        )
    assert signed_in.status_code == 201, signed_in.text
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        recorded = await conn.fetchval(
            "SELECT ip_address FROM identity.user_sessions WHERE user_id = $1",
            uuid.UUID(signed_in.json()["user"]["id"]),
        )
    finally:
        await conn.close()
    assert recorded == "127.0.0.1"

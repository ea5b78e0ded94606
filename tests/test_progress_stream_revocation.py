"""A progress stream ends within 5 s of its credential's revocation (issue 17): evaluation checks the
caller's API key with identity again while the stream is open."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx

from mlp.common.runtime.database import plain_database_url
from mlp.devtools.firebase_emulator import FirebaseEmulator

REVOCATION_DEADLINE_SECONDS = 5.0
QUEUED_RUN = """
INSERT INTO evaluation.eval_runs (id, user_id, dataset_id, dataset_version, source, predictions_column,
                                  criterion_ids, criteria)
VALUES ($1, $2, $3, 1, 'predictions', 'answer', ARRAY[$4::uuid], $5::jsonb)
"""


async def queued_run(database_url: str, user_id: str) -> uuid.UUID:
    """A run no queue job points at: it stays queued, so its stream stays open."""
    run_id, criterion = uuid.uuid4(), uuid.uuid4()
    snapshot = [{"id": str(criterion), "name": "same", "kind": "exact_match", "config": {"expected": "x"}}]
    conn = await asyncpg.connect(plain_database_url(database_url))
    try:
        await conn.execute(QUEUED_RUN, run_id, uuid.UUID(user_id), uuid.uuid4(), criterion, json.dumps(snapshot))
    finally:
        await conn.close()
    return run_id


async def test_a_progress_stream_ends_within_5_s_of_its_keys_revocation(
    firebase_emulator: FirebaseEmulator, platform: dict[str, str], database_url: str
) -> None:
    person = await firebase_emulator.create_user()
    identity = platform["identity"]
    async with httpx.AsyncClient(timeout=30) as http:
        signed_in = (await http.post(f"{identity}/v1/auth/sign-in", json={"id_token": person.id_token})).json()
        session = {"authorization": f"Bearer {signed_in['platform_token']}"}
        created = await http.post(f"{identity}/v1/api-keys", json={"name": "sse", "scopes": ["evals:read"]},
                                  headers=session)  # fmt: skip
        assert created.status_code == 201, created.text
        key = {"authorization": f"Bearer {created.json()['secret']}"}
        me = (await http.get(f"{platform['evaluation']}/v1/whoami", headers=key)).json()
        run_id = await queued_run(database_url, me["user_id"])

        url = f"{platform['evaluation']}/v1/eval-runs/{run_id}/events"
        async with http.stream("GET", url, headers=key) as stream:
            assert stream.status_code == 200
            lines = stream.aiter_lines()
            assert (await anext(lines)).startswith("event: progress")
            revoked = await http.delete(f"{identity}/v1/api-keys/{created.json()['key']['id']}", headers=session)
            assert revoked.status_code == 204
            revoked_at = time.monotonic()
            rest = await asyncio.wait_for(_all(lines), REVOCATION_DEADLINE_SECONDS + 5)
            ended_after = time.monotonic() - revoked_at
    assert "event: error" in rest
    assert ended_after <= REVOCATION_DEADLINE_SECONDS


async def _all(lines: AsyncIterator[str]) -> list[str]:
    return [line async for line in lines]

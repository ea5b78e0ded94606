"""Migration 0011 on rows written before it: a deployment whose version's artifact URI names a model
asks its upstream for that model from then on; the others keep forwarding the request's ``model``."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from alembic import command

from mlp.common.runtime.database import plain_database_url
from mlp.common.runtime.migrations import alembic_config

ARTIFACTS = {"named": "gpt-4o-mini-2024-07-18", "weights": "s3://bucket/llama", "none": None}


async def test_deployments_made_before_it_ask_for_their_versions_model(empty_database_url: str) -> None:
    config = alembic_config("mlp.registry", empty_database_url)
    await asyncio.to_thread(command.upgrade, config, "0010_dataset_row_blocks")
    conn = await asyncpg.connect(plain_database_url(empty_database_url))
    try:
        user = uuid.uuid4()
        model = await conn.fetchval("INSERT INTO registry.models (user_id, name) VALUES ($1, 'm') RETURNING id", user)
        for number, (name, artifact) in enumerate(ARTIFACTS.items(), start=1):
            version = await conn.fetchval(
                "INSERT INTO registry.model_versions (model_id, user_id, version, artifact_uri)"
                " VALUES ($1, $2, $3, $4) RETURNING id",
                model,
                user,
                number,
                artifact,
            )
            deployment = await conn.fetchval(
                "INSERT INTO registry.deployments (user_id, name, kind, model_id, model_version_id, model_version,"
                " upstream_url, connect_timeout_seconds, timeout_seconds, status)"
                " VALUES ($1, $2, 'openai-chat', $3, $4, $5, 'http://models.internal/v1', 5, 60, 'ready') RETURNING id",
                user,
                name,
                model,
                version,
                number,
            )
            await conn.execute(
                "INSERT INTO registry.deployment_revisions (user_id, deployment_id, model_version_id, model_version,"
                " valid_from) VALUES ($1, $2, $3, $4, now())",
                user,
                deployment,
                version,
                number,
            )
        await asyncio.to_thread(command.upgrade, config, "head")
        served = dict(await conn.fetch("SELECT name, served_model FROM registry.deployments"))
        revisions = await conn.fetch("SELECT served_model FROM registry.deployment_revisions ORDER BY model_version")
        fallbacks = await conn.fetchval("SELECT array_length(fallback_ids, 1) FROM registry.deployments LIMIT 1")
    finally:
        await conn.close()
    assert served == {"named": "gpt-4o-mini-2024-07-18", "weights": None, "none": None}
    assert [r["served_model"] for r in revisions] == ["gpt-4o-mini-2024-07-18", None, None]
    assert fallbacks is None  # an empty array

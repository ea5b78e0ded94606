"""Deletes refused while a deployment serves a version; the user-deletion purge of the model tables."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from model_registry_harness import ModelRegistry
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.common.contracts.events import UserDeleted
from mlp.registry.adapters.db.models_purge import purge_user_models
from mlp.registry.adapters.db.tables import deployments, model_alias_events, model_aliases, model_versions, models
from mlp.registry.domain.models import Artifact, NewVersion
from mlp.registry.domain.models_errors import ModelInUse

URI = NewVersion(artifact=Artifact(uri="s3://bucket/model"))


async def _deploy(engine: AsyncEngine, user_id: uuid.UUID, version_id: uuid.UUID) -> uuid.UUID:
    async with engine.begin() as conn:
        slug = f"d-{uuid.uuid4().hex[:12]}"
        values = {"user_id": user_id, "model_version_id": version_id, "name": slug, "slug": slug, "status": "active"}
        values["upstream_url"] = "http://127.0.0.1:1"
        return (await conn.execute(insert(deployments).values(values).returning(deployments.c.id))).scalar_one()


async def test_model_and_version_deletes_are_refused_while_deployed(
    registry: ModelRegistry, engine: AsyncEngine
) -> None:
    me = uuid.uuid4()
    model = await registry.models.create(me, "served")
    served = await registry.versions.create(me, model.id, URI)
    await registry.versions.create(me, model.id, URI)
    deployment = await _deploy(engine, me, served.id)
    with pytest.raises(ModelInUse):
        await registry.models.delete(me, model.id)
    with pytest.raises(ModelInUse):
        await registry.versions.delete(me, model.id, 1)
    await registry.versions.delete(me, model.id, 2)  # not deployed: fine
    async with engine.begin() as conn:
        await conn.execute(update(deployments).where(deployments.c.id == deployment).values(status="stopped"))
    await registry.models.delete(me, model.id)
    assert "model.delete" in registry.audit.actions(me)


async def test_purge_deletes_the_users_rows_only_and_is_idempotent(
    registry: ModelRegistry, engine: AsyncEngine
) -> None:
    gone, kept = uuid.uuid4(), uuid.uuid4()
    for user in (gone, kept):
        model = await registry.models.create(user, "m")
        await registry.versions.create(user, model.id, URI)
        await registry.aliases.set(user, model.id, "prod", version=1)
    event = UserDeleted(event_id=uuid.uuid4(), user_id=gone, deleted_at=datetime.now(UTC))
    for _ in range(2):
        async with engine.begin() as conn:
            await purge_user_models(conn, event)
    async with engine.connect() as conn:
        for table in (models, model_versions, model_aliases, model_alias_events):
            counts = dict(
                (
                    await conn.execute(
                        select(table.c.user_id, func.count())
                        .where(table.c.user_id.in_([gone, kept]))
                        .group_by(table.c.user_id)
                    )
                ).all()
            )
            assert counts == {kept: 1}, table.name

"""Aliases: one version per alias per model, moves and deletes recorded, resolution now and at a past time."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from model_registry_harness import ModelRegistry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.registry.adapters.db.tables import model_alias_events
from mlp.registry.domain.models import Artifact, NewVersion
from mlp.registry.domain.models_errors import InvalidModelInput, ModelNotFound

URI = NewVersion(artifact=Artifact(uri="s3://bucket/model"))


async def test_alias_set_move_delete_with_history_answering_which_version_at_t(registry: ModelRegistry) -> None:
    me = uuid.uuid4()
    model = await registry.models.create(me, "ranker")
    v1, v2 = [await registry.versions.create(me, model.id, URI) for _ in range(2)]
    t0 = registry.clock.now
    await registry.aliases.set(me, model.id, "production", version=1)
    t1 = registry.clock.advance(60)
    await registry.aliases.set(me, model.id, "production", version_id=v2.id)  # a move
    await registry.aliases.set(me, model.id, "champion", version=1)
    assert (await registry.aliases.resolve(me, model.id, "production")).id == v2.id
    assert (await registry.models.get(me, model.id)).aliases == {"production": 2, "champion": 1}
    assert (await registry.versions.get(me, model.id, 1)).aliases == ("champion",)
    t2 = registry.clock.advance(60)
    await registry.aliases.delete(me, model.id, "production")

    assert (await registry.aliases.at(me, model.id, "production", t0)).version == 1
    assert (await registry.aliases.at(me, model.id, "production", t0 + timedelta(seconds=30))).version == 1
    assert (await registry.aliases.at(me, model.id, "production", t1)).version == 2
    assert (await registry.aliases.at(me, model.id, "production", t2 - timedelta(microseconds=1))).version == 2
    for when in (t0 - timedelta(seconds=1), t2):  # before it existed, and once deleted
        with pytest.raises(ModelNotFound):
            await registry.aliases.at(me, model.id, "production", when)
    with pytest.raises(ModelNotFound):
        await registry.aliases.resolve(me, model.id, "production")
    history = await registry.aliases.history(me, model.id, "production", 10)
    assert [(c.version, c.changed_at) for c in history] == [(None, t2), (2, t1), (1, t0)]
    assert v1.id != v2.id


async def test_alias_on_a_version_of_another_model_is_refused(registry: ModelRegistry) -> None:
    me = uuid.uuid4()
    a, b = await registry.models.create(me, "a"), await registry.models.create(me, "b")
    await registry.versions.create(me, a.id, URI)
    of_b = await registry.versions.create(me, b.id, URI)
    with pytest.raises(InvalidModelInput) as refused:
        await registry.aliases.set(me, a.id, "production", version_id=of_b.id)
    assert refused.value.field == "version_id"
    with pytest.raises(ModelNotFound):
        await registry.aliases.set(me, a.id, "production", version=7)
    stranger = uuid.uuid4()
    with pytest.raises(ModelNotFound):
        await registry.aliases.set(stranger, a.id, "production", version=1)
    assert (await registry.models.get(me, a.id)).aliases == {}


@pytest.mark.parametrize("alias", ["latest", "v3", "V12", "has space", "", "-x", "x" * 65])
async def test_reserved_or_malformed_aliases_are_refused(registry: ModelRegistry, alias: str) -> None:
    me = uuid.uuid4()
    model = await registry.models.create(me, "m")
    await registry.versions.create(me, model.id, URI)
    with pytest.raises(InvalidModelInput):
        await registry.aliases.set(me, model.id, alias, version=1)


async def test_deleting_a_version_or_model_drops_its_aliases_and_records_it(
    registry: ModelRegistry, engine: AsyncEngine
) -> None:
    me = uuid.uuid4()
    model = await registry.models.create(me, "m")
    for _ in range(2):
        await registry.versions.create(me, model.id, URI)
    await registry.aliases.set(me, model.id, "prod", version=1)
    await registry.aliases.set(me, model.id, "canary", version=2)
    registry.clock.advance(1)
    await registry.versions.delete(me, model.id, 1)
    assert (await registry.models.get(me, model.id)).aliases == {"canary": 2}
    assert (await registry.aliases.history(me, model.id, "prod", 5))[0].version is None
    registry.clock.advance(1)
    await registry.models.delete(me, model.id)
    async with engine.connect() as conn:
        events = select(model_alias_events.c.alias, model_alias_events.c.version).where(
            model_alias_events.c.model_id == model.id
        )
        recorded = (await conn.execute(events)).all()
    assert sorted(map(tuple, recorded), key=str) == sorted(
        [("prod", 1), ("canary", 2), ("prod", None), ("canary", None)], key=str
    )
    assert registry.audit.actions(me)[-1] == "model.delete"

"""Model versions through the use cases on real PostgreSQL: race-free numbers, sources, updates, audit."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from model_registry_harness import ModelRegistry
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.registry.adapters.db.tables import files
from mlp.registry.domain.model_queries import Condition, SearchQuery
from mlp.registry.domain.models import Artifact, NewVersion, VersionSource
from mlp.registry.domain.models_errors import InvalidModelInput, ModelNotFound

URI = NewVersion(artifact=Artifact(uri="s3://bucket/model"))


async def test_fifty_concurrent_creates_get_fifty_distinct_consecutive_numbers(registry: ModelRegistry) -> None:
    me = uuid.uuid4()
    model = await registry.models.create(me, "busy")
    created = await asyncio.gather(*(registry.versions.create(me, model.id, URI) for _ in range(50)))
    assert sorted(v.version for v in created) == list(range(1, 51))
    assert (await registry.models.get(me, model.id)).last_version == 50


async def test_numbers_are_per_model_and_never_reused_after_a_delete(registry: ModelRegistry) -> None:
    me = uuid.uuid4()
    a, b = await registry.models.create(me, "a"), await registry.models.create(me, "b")
    assert [(await registry.versions.create(me, a.id, URI)).version for _ in range(2)] == [1, 2]
    assert (await registry.versions.create(me, "b", URI)).version == 1  # by name too
    await registry.versions.delete(me, a.id, 2)
    assert (await registry.versions.create(me, a.id, URI)).version == 3
    with pytest.raises(ModelNotFound):
        await registry.versions.get(me, a.id, 2)
    assert b.id != a.id


async def test_version_carries_source_params_metrics_tags_and_updates(registry: ModelRegistry) -> None:
    me = uuid.uuid4()
    model = await registry.models.create(me, "tuned")
    request = NewVersion(
        artifact=Artifact(uri="runs:/abc/model"),
        source=VersionSource("run", run_uri="runs:/abc", run_id="abc"),
        status="pending",
        params={"lr": 0.01, "optimizer": "adam"},
        metrics={"auc": 0.91},
        tags={"dataset": "v3"},
    )
    version = await registry.versions.create(me, model.id, request)
    assert (version.source.kind, version.source.run_id, version.status) == ("run", "abc", "pending")
    assert (version.params, version.metrics) == ({"lr": 0.01, "optimizer": "adam"}, {"auc": 0.91})
    assert version.tags == {"dataset": "v3"}
    updated = await registry.versions.update(me, model.id, 1, {"status": "ready", "metrics": {"auc": 0.93}})
    assert (updated.status, updated.metrics, updated.params["optimizer"]) == ("ready", {"auc": 0.93}, "adam")
    await registry.versions.set_tag(me, "tuned", 1, "owner", "ada")
    await registry.versions.set_tag(me, "tuned", 1, "dataset", None)
    assert (await registry.versions.get(me, model.id, 1)).tags == {"owner": "ada"}
    assert registry.audit.actions(me) == [
        "model.create",
        "model_version.create",
        "model_version.update",
        "model_version.set_tag",
        "model_version.delete_tag",
    ]


async def test_a_file_artifact_must_be_the_callers_file(registry: ModelRegistry, engine: AsyncEngine) -> None:
    me, other = uuid.uuid4(), uuid.uuid4()
    async with engine.begin() as conn:
        file_id = (
            await conn.execute(
                insert(files)
                .values(
                    user_id=other,
                    filename="m.bin",
                    content_type="application/octet-stream",
                    size_bytes=1,
                    storage_key=f"k/{uuid.uuid4()}",
                    purpose="artifact",
                )
                .returning(files.c.id)
            )
        ).scalar_one()
    model = await registry.models.create(me, "with-file")
    with pytest.raises(ModelNotFound) as refused:
        await registry.versions.create(me, model.id, NewVersion(artifact=Artifact(file_id=file_id)))
    assert refused.value.field == "artifact_file_id"
    theirs = await registry.models.create(other, "theirs")
    version = await registry.versions.create(other, theirs.id, NewVersion(artifact=Artifact(file_id=file_id)))
    assert version.artifact.file_id == file_id
    with pytest.raises(ModelNotFound):
        await registry.versions.create(me, model.id, NewVersion(URI.artifact, VersionSource("tune_job", uuid.uuid4())))
    assert (await registry.models.get(me, model.id)).last_version == 0  # refused creates take no number


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (NewVersion(artifact=Artifact()), "artifact_uri"),
        (NewVersion(artifact=Artifact(file_id=uuid.uuid4(), uri="s3://x")), "artifact_uri"),
        (NewVersion(URI.artifact, VersionSource("tune_job")), "source.tune_job_id"),
        (NewVersion(URI.artifact, VersionSource("run")), "source.run_uri"),
        (NewVersion(URI.artifact, status="deleted"), "status"),  # type: ignore[arg-type]
        (NewVersion(URI.artifact, tags={"": "x"}), "tags"),
    ],
)
async def test_invalid_versions_are_refused_naming_the_field(
    registry: ModelRegistry, request_: NewVersion, field: str
) -> None:
    me = uuid.uuid4()
    model = await registry.models.create(me, "strict")
    with pytest.raises(InvalidModelInput) as refused:
        await registry.versions.create(me, model.id, request_)
    assert refused.value.field == field


async def test_search_versions_by_name_number_run_and_tag_in_pages(registry: ModelRegistry) -> None:
    me = uuid.uuid4()
    for name in ("m1", "m2"):
        model = await registry.models.create(me, name)
        for run in ("r1", "r2", "r3"):
            source = VersionSource("run", run_uri=f"runs:/{run}", run_id=run)
            await registry.versions.create(me, model.id, NewVersion(URI.artifact, source, tags={"run": run}))
    seen, after = [], None
    while True:
        page = await registry.versions.search(me, SearchQuery((), 4, after))
        seen += [(v.model_name, v.version) for v in page.items]
        if (after := page.next_after) is None:
            break
    assert seen == [("m1", 3), ("m1", 2), ("m1", 1), ("m2", 3), ("m2", 2), ("m2", 1)]
    conditions = (
        Condition("name", "=", "m2"),
        Condition("run_id", "IN", ("r1", "r3")),
        Condition("tag", "!=", "r3", key="run"),
    )
    found = await registry.versions.search(me, SearchQuery(conditions))
    assert [(v.model_name, v.version) for v in found.items] == [("m2", 1)]
    by_number = await registry.versions.search(me, SearchQuery((Condition("version", "=", "2"),)))
    assert [(v.model_name, v.version) for v in by_number.items] == [("m1", 2), ("m2", 2)]

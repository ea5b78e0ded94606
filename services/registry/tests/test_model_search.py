"""Model search conditions in SQL: name and tag operators, descending keyset pages, one user's rows only."""

from __future__ import annotations

import uuid

import pytest
from model_registry_harness import ModelRegistry

from mlp.registry.domain.model_queries import Condition, SearchQuery
from mlp.registry.domain.models_errors import InvalidModelInput


async def _names(registry: ModelRegistry, user: uuid.UUID, *conditions: Condition) -> list[str]:
    return [m.name for m in (await registry.models.search(user, SearchQuery(conditions))).items]


async def test_name_and_tag_operators(registry: ModelRegistry) -> None:
    me = uuid.uuid4()
    await registry.models.create(me, "Alpha", tags={"team": "risk", "mlflow.prompt.is_prompt": "false"})
    await registry.models.create(me, "alpine", tags={"team": "growth"})
    await registry.models.create(me, "beta", tags={"mlflow.prompt.is_prompt": "true"}, task="ranking")
    await registry.models.create(uuid.uuid4(), "alps", tags={"team": "risk"})  # someone else's

    assert await _names(registry, me, Condition("name", "LIKE", "al%")) == ["alpine"]
    assert await _names(registry, me, Condition("name", "ILIKE", "al%")) == ["Alpha", "alpine"]
    assert await _names(registry, me, Condition("name", "!=", "beta")) == ["Alpha", "alpine"]
    assert await _names(registry, me, Condition("tag", "=", "risk", key="team")) == ["Alpha"]
    assert await _names(registry, me, Condition("tag", "LIKE", "gr%", key="team")) == ["alpine"]
    not_prompts = Condition("tag", "!=", "true", key="mlflow.prompt.is_prompt")
    assert await _names(registry, me, not_prompts) == ["Alpha", "alpine"]  # rows without the tag match too
    assert await _names(registry, me, Condition("task", "=", "ranking")) == ["beta"]


async def test_descending_pages_cover_every_model_once(registry: ModelRegistry) -> None:
    me = uuid.uuid4()
    for i in range(7):
        await registry.models.create(me, f"m{i}")
    seen, after = [], None
    while True:
        page = await registry.models.search(me, SearchQuery((), 3, after, descending=True))
        seen += [m.name for m in page.items]
        if (after := page.next_after) is None:
            break
    assert seen == [f"m{i}" for i in reversed(range(7))]


@pytest.mark.parametrize("limit", [0, 101])
async def test_page_size_out_of_range(registry: ModelRegistry, limit: int) -> None:
    with pytest.raises(InvalidModelInput) as refused:
        await registry.models.search(uuid.uuid4(), SearchQuery((), limit))
    assert refused.value.field == "limit"

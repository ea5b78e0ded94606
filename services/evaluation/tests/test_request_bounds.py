"""Request bodies and templates are size-checked before they are parsed (issue 17): a template of a
megabyte of spaces is a prompt 400 naming it, a body past the limit a 413, and /healthz keeps
answering meanwhile."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]
PROMPT_SECONDS = 2.0


def grader(reference: str) -> dict[str, Any]:
    return {
        "type": "string_check",
        "name": "exact",
        "input": "{{sample.output_text}}",
        "reference": reference,
        "operation": "eq",
    }


def eval_body(reference: str) -> dict[str, Any]:
    return {"data_source_config": {"type": "custom", "item_schema": {}}, "testing_criteria": [grader(reference)]}


async def timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    response = await call
    return response, time.monotonic() - started


async def test_a_megabyte_of_spaces_in_a_template_is_refused_promptly(client: Client, user: Callable[..., Any]) -> None:
    me = user()
    hostile = eval_body("{{item.a" + " " * 900_000)
    (refused, took), (health, health_took) = await asyncio.gather(
        timed(client.post("/v1/evals", json=hostile, headers=me.headers)), timed(client.get("/healthz"))
    )
    assert refused.status_code == 400, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["field"] == "testing_criteria[0].reference"
    assert took < PROMPT_SECONDS
    assert health.status_code == 200
    assert health_took < PROMPT_SECONDS


async def test_a_body_past_the_limit_is_refused_before_it_is_parsed(client: Client, user: Callable[..., Any]) -> None:
    me = user()
    response, took = await timed(client.post("/v1/evals", json=eval_body(" " * 1_100_000), headers=me.headers))
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert took < PROMPT_SECONDS
    assert (await client.get("/v1/evals", headers=me.headers)).json()["data"] == []

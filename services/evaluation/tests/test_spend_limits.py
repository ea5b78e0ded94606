"""A user at their hard spend limit (billing's spend state, a stand-in here) cannot start evaluation
runs, native or OpenAI-compatible: 429 in OpenAI's ``insufficient_quota`` shape; reads answer."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.devtools.spend_limits import SettableSpendLimits

QUOTA = {"type": "insufficient_quota", "code": "insufficient_quota"}


async def test_runs_are_refused_with_insufficient_quota_at_the_hard_limit(
    client: AsyncTestClient[Litestar], user: Callable[..., Any], spend_limits: SettableSpendLimits
) -> None:
    spent, other = user(), user()
    spend_limits.exhausted_users.add(spent.id)
    starts: list[tuple[str, dict[str, Any]]] = [
        ("/v1/eval-runs", {"dataset_id": str(uuid.uuid4()), "criteria": [str(uuid.uuid4())]}),
        (f"/v1/evals/{uuid.uuid4()}/runs", {"data_source": {"type": "jsonl"}}),
    ]
    for path, body in starts:
        refused = await client.post(path, json=body, headers=spent.headers)
        assert refused.status_code == 429, (path, refused.text)
        assert {k: refused.json()["error"][k] for k in QUOTA} == QUOTA
        allowed = await client.post(path, json=body, headers=other.headers)
        assert allowed.status_code not in (429, 500), (path, allowed.text)
    assert (await client.get("/v1/eval-runs", headers=spent.headers)).status_code == 200
    spend_limits.exhausted_users.discard(spent.id)
    lifted = await client.post(starts[1][0], json=starts[1][1], headers=spent.headers)
    assert lifted.status_code not in (429, 500)

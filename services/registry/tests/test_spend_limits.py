"""A user at their hard spend limit (billing's spend state, a stand-in here) is refused inference and
fine-tuning in OpenAI's ``insufficient_quota`` shape; reads still answer, other users spend on."""

from __future__ import annotations

from collections.abc import Callable

from dataset_helpers import Client
from registry_users import User

from mlp.devtools.spend_limits import SettableSpendLimits

SCOPES = "models:* datasets:* tune:* inference"
QUOTA = {"type": "insufficient_quota", "code": "insufficient_quota"}


async def test_inference_and_tuning_are_refused_with_insufficient_quota_at_the_hard_limit(
    client: Client, new_user: Callable[..., User], spend_limits: SettableSpendLimits
) -> None:
    spent, other = new_user(SCOPES), new_user(SCOPES)
    spend_limits.exhausted_users.add(spent.id)
    calls = [
        ("/v1/chat/completions", {"model": "nope", "messages": [{"role": "user", "content": "hi"}]}),
        ("/v1/completions", {"model": "nope", "prompt": "hi"}),
        ("/v1/embeddings", {"model": "nope", "input": "hi"}),
        ("/v1/fine_tuning/jobs", {"model": "nope:1", "training_file": "file-x"}),
    ]
    for path, body in calls:
        refused = await client.post(path, json=body, headers=spent.headers)
        assert refused.status_code == 429, (path, refused.text)
        assert {k: refused.json()["error"][k] for k in QUOTA} == QUOTA
        allowed = await client.post(path, json=body, headers=other.headers)
        assert allowed.status_code not in (429, 500), (path, allowed.text)
    assert (await client.get("/v1/models", headers=spent.headers)).status_code == 200

    spend_limits.exhausted_users.discard(spent.id)  # the limit raised, or a new period
    lifted = await client.post(calls[0][0], json=calls[0][1], headers=spent.headers)
    assert lifted.status_code == 404

"""Delegation never widens a scope (issue 17): a run needs the scopes of everything it will do on the
caller's behalf, checked when it is created, and every token minted for it (at creation and by the
worker) carries at most the caller's scopes. Walked as a matrix of key scopes x eval actions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from evaluation_fakes import FakeChatModel, FakeDatasetRows, FakeDeployments, FakeUserTokens
from litestar import Litestar
from litestar.testing import AsyncTestClient

from mlp.common.auth.principal import scope_grants
from mlp.evaluation.wiring import Gateways

Client = AsyncTestClient[Litestar]
Execute = Callable[[str], Any]
ROWS = [{"question": "France", "answer": "Paris", "prediction": "Paris", "sample.output_text": "Paris"}]
KEYS = {
    "evals only": "evals:* evals:read evals:write",  # the key
    "evals + datasets": "evals:* datasets:read",
    "evals + inference": "evals:* inference",
    "evals + datasets + inference": "evals:* datasets:read inference",
    "session": "*",
}
ACTIONS = {  # what each action needs of the caller
    "predictions run": {"datasets:read"},
    "deployment run": {"datasets:read", "inference"},
    "judged predictions run": {"datasets:read", "inference"},
    "openai jsonl run": {"datasets:read"},
    "openai completions run": {"datasets:read", "inference"},
}


@dataclass
class Setup:
    me: Any
    dataset: str
    model: str
    calls: list[str]


async def post(client: Client, path: str, body: dict[str, Any], me: Any) -> Any:
    return await client.post(path, json=body, headers=me.headers)


async def start(client: Client, action: str, s: Setup, session: Any) -> Any:
    """Starts ``action`` with the key's headers; what the action needs is made with the user's session."""
    exact = {"name": uuid.uuid4().hex, "type": "exact_match", "config": {"expected": "{{answer}}"}}
    labels = {"labels": ["Paris"], "pass_labels": ["Paris"]}
    judge = {"name": uuid.uuid4().hex, "type": "llm_judge",
             "config": {"deployment": s.model, "prompt": "{{output}}", **labels}}  # fmt: skip
    if action.startswith("openai"):
        grader = {"type": "string_check", "name": "exact", "input": "{{sample.output_text}}",
                  "reference": "{{item.answer}}", "operation": "eq"}  # fmt: skip
        created = await post(client, "/v1/evals", {"data_source_config": {"type": "custom", "item_schema": {}},
                                                   "testing_criteria": [grader]}, session)  # fmt: skip
        source = {"type": "file_id", "id": s.dataset}
        data_source: dict[str, Any] = {"type": "jsonl", "source": source}
        if action == "openai completions run":
            template = [{"role": "user", "content": "{{item.question}}"}]
            data_source = {"type": "completions", "source": source, "model": s.model,
                           "input_messages": {"type": "template", "template": template}}  # fmt: skip
        return await post(client, f"/v1/evals/{created.json()['id']}/runs", {"data_source": data_source}, s.me)
    criterion = (await post(client, "/v1/criteria", judge if action.startswith("judged") else exact, session)).json()
    body: dict[str, Any] = {"dataset_id": s.dataset, "criterion_ids": [criterion["id"]]}
    if action == "deployment run":
        body |= {"source": "deployment", "deployment": s.model, "prompt_template": "{{question}}"}
    else:
        body |= {"source": "predictions", "predictions_column": "prediction"}
    return await post(client, "/v1/eval-runs", body, s.me)


def covered(scopes: str, wanted: set[str]) -> bool:
    return all(any(scope_grants(held, w) for held in scopes.split()) for w in wanted)


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("key", list(KEYS))
async def test_a_run_needs_every_scope_it_uses_and_its_tokens_carry_no_more_than_the_callers(
    client: Client, user: Callable[..., Any], gateways: Gateways, execute_run: Execute, key: str, action: str
) -> None:
    assert isinstance(gateways.rows, FakeDatasetRows)
    assert isinstance(gateways.chat, FakeChatModel)
    assert isinstance(gateways.deployments, FakeDeployments)
    assert isinstance(gateways.tokens, FakeUserTokens)
    keyholder = user(scopes=KEYS[key])
    session = user(scopes="*", user_id=keyholder.id)  # the same user, signed in
    calls: list[str] = []
    model = f"m-{uuid.uuid4().hex[:8]}"
    gateways.chat.deployments[model] = lambda prompt: calls.append(prompt) or "Paris"  # type: ignore[func-returns-value]
    gateways.deployments.add(keyholder.id, model)
    dataset = str(gateways.rows.add(keyholder.id, ROWS))
    setup = Setup(keyholder, dataset, model, calls)

    started = await start(client, action, setup, session)
    minted = [scopes for user_id, scopes in gateways.tokens.minted if user_id == keyholder.id]
    if not covered(KEYS[key], ACTIONS[action]):
        assert started.status_code == 403, started.text
        assert started.json()["type"] == "urn:mlp:problem:forbidden"
        assert started.json()["field"] in ("dataset_id", "deployment", "criteria[0].config.deployment")
        assert minted == []
        listed = await client.get("/v1/eval-runs", headers=session.headers)
        assert listed.json()["data"] == []
        return
    assert started.status_code in (200, 201), started.text
    await execute_run(started.json()["id"])
    minted = [scopes for user_id, scopes in gateways.tokens.minted if user_id == keyholder.id]
    assert minted  # at creation and by the worker
    assert all(covered(KEYS[key], set(scopes)) for scopes in minted), minted
    if "inference" not in ACTIONS[action]:
        assert calls == []

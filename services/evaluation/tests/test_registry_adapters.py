"""The real HTTP adapters against the fake registry on loopback (the contract, both directions)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
from fake_registry import CREDENTIAL, RegistryState, fake_registry_app, free_port, serving

from mlp.common.runtime.service_tokens import ServiceTokens
from mlp.evaluation.adapters.registry.chat import HttpChatModel, HttpDeployments
from mlp.evaluation.adapters.registry.datasets import HttpDatasetRows
from mlp.evaluation.application.upstream_ports import UpstreamError
from mlp.evaluation.domain.errors import InvalidInput, NotFound

OWNER = uuid.uuid4()
TOKEN = f"user:{OWNER}"


@pytest.fixture(scope="module")
def registry() -> Iterator[tuple[str, RegistryState]]:
    state = RegistryState()
    state.deployments["echo"] = OWNER
    with serving(fake_registry_app(state), free_port()) as url:
        yield url, state


async def test_rows_are_paged_with_a_cursor_and_hidden_from_others(registry: tuple[str, RegistryState]) -> None:
    url, state = registry
    dataset = state.add_dataset(OWNER, [{"q": str(i)} for i in range(5)])
    async with httpx.AsyncClient() as http:
        rows = HttpDatasetRows(http, url)
        first = await rows.page(TOKEN, dataset, None, None, 2)
        assert ([r.row_number for r in first.data], first.has_more) == ([1, 2], True)
        rest = await rows.page(TOKEN, dataset, 1, first.next_cursor, 10)
        assert ([r.values["q"] for r in rest.data], rest.has_more) == (["2", "3", "4"], False)
        assert [c.name for c in rest.columns] == ["q"]
        with pytest.raises(NotFound):
            await rows.page(f"user:{uuid.uuid4()}", dataset, None, None, 2)
        with pytest.raises(NotFound):
            await rows.page(TOKEN, dataset, 7, None, 2)


async def test_a_jsonl_files_lines_are_rows_read_by_byte_ranges(registry: tuple[str, RegistryState]) -> None:
    url, state = registry
    lines = [{"item": {"q": f"q{i}"}, "sample": {"output_text": f"a{i}"}} for i in range(5)]
    file_id = uuid.uuid4()
    state.files[file_id] = (OWNER, b"".join(json.dumps(line).encode() + b"\n" for line in lines))
    async with httpx.AsyncClient() as http:
        rows = HttpDatasetRows(http, url)
        seen, cursor, pages = [], None, 0
        while True:
            page = await rows.page(TOKEN, file_id, None, cursor, 2, kind="file")
            seen += [(r.row_number, r.values) for r in page.data]
            pages += 1
            if not page.has_more:
                break
            cursor = page.next_cursor
        assert [n for n, _ in seen] == [1, 2, 3, 4, 5]
        assert seen[4][1] == {"q": "q4", "sample.output_text": "a4"}
        assert pages == 3
        with pytest.raises(NotFound):
            await rows.page(f"user:{uuid.uuid4()}", file_id, None, None, 2, kind="file")
        state.files[file_id] = (OWNER, b'{"not_item": 1}\n')
        with pytest.raises(InvalidInput, match="line 1"):
            await rows.page(TOKEN, file_id, None, None, 2, kind="file")


async def test_chat_completions_give_content_and_usage_and_errors_have_causes(
    registry: tuple[str, RegistryState],
) -> None:
    url, _ = registry
    async with httpx.AsyncClient() as http:
        chat = HttpChatModel(http, url)
        answer = await chat.complete(TOKEN, "echo", [{"role": "user", "content": "two words"}], {"max_tokens": 5})
        assert (answer.content, answer.prompt_tokens, answer.completion_tokens) == ("two words", 2, 2)
        with pytest.raises(UpstreamError) as missing:
            await chat.complete(TOKEN, "nope", [{"role": "user", "content": "x"}], {})
        assert missing.value.cause == "deployment_not_found"
        deployments = HttpDeployments(http, url)
        assert await deployments.exists(TOKEN, "echo")
        assert not await deployments.exists(f"user:{uuid.uuid4()}", "echo")
    async with httpx.AsyncClient(timeout=0.05) as slow_http:
        registry[1].delay_seconds = 0.5
        try:
            with pytest.raises(UpstreamError) as slow:
                await HttpChatModel(slow_http, url).complete(TOKEN, "echo", [{"role": "user", "content": "x"}], {})
        finally:
            registry[1].delay_seconds = 0.0
        assert slow.value.cause == "timeout"
    async with httpx.AsyncClient() as http:
        unreachable = HttpChatModel(http, f"http://127.0.0.1:{free_port()}")
        with pytest.raises(UpstreamError) as down:
            await unreachable.complete(TOKEN, "echo", [{"role": "user", "content": "x"}], {})
        assert down.value.cause == "upstream_unreachable"


async def test_user_tokens_come_from_identitys_endpoint_with_the_service_credential(
    registry: tuple[str, RegistryState],
) -> None:
    url, _ = registry
    async with httpx.AsyncClient() as http:
        tokens = ServiceTokens(http, url, "evaluation", CREDENTIAL)
        assert await tokens.for_user(OWNER, ("datasets:read", "inference"), ("*",)) == TOKEN

"""A small stand-in for registry (dataset rows, deployments, OpenAI chat completions), identity's
token endpoint and the audit/usage ingests, served on loopback for the HTTP adapters, the worker
processes and the benchmark. It speaks the contracts in ``mlp.common.contracts``.

Tokens are ``user:<uuid>`` (what its token endpoint mints for evaluation's credential); every
dataset and deployment has an owner, and anyone else gets 404. A deployment answers with the
last user message (``echo``) after ``delay_seconds``.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import msgspec
import uvicorn
from litestar import Litestar, Request, Response, get, post
from litestar.params import FromPath

from mlp.common.auth.principal import scope_grants
from mlp.common.contracts.audit import BatchReceipt, OperationEventBatch
from mlp.common.contracts.auth import MintedToken, MintTokenRequest
from mlp.common.contracts.datasets import DatasetColumn, DatasetRow, DatasetRowsPage
from mlp.common.contracts.usage import UsageBatchReceipt, UsageEventBatch, UsageEventResult

CREDENTIAL = "mlpsvc_evaluation_" + "t" * 32


@dataclass
class RegistryState:
    datasets: dict[uuid.UUID, tuple[uuid.UUID, list[dict[str, Any]]]] = field(default_factory=dict)
    deployments: dict[str, uuid.UUID] = field(default_factory=dict)
    files: dict[uuid.UUID, tuple[uuid.UUID, bytes]] = field(default_factory=dict)
    delay_seconds: float = 0.0
    chat_calls: int = 0
    usage: dict[str, UsageEventBatch] = field(default_factory=dict)
    usage_events: dict[str, Any] = field(default_factory=dict)
    audit_actions: list[str] = field(default_factory=list)

    def add_dataset(self, owner: uuid.UUID, rows: list[dict[str, Any]]) -> uuid.UUID:
        dataset_id = uuid.uuid4()
        self.datasets[dataset_id] = (owner, rows)
        return dataset_id


def _owner(request: Request[Any, Any, Any]) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ").removeprefix("user:")


def _not_found() -> Response[bytes]:
    return Response(b'{"status":404}', status_code=404, media_type="application/json")


def fake_registry_app(state: RegistryState) -> Litestar:
    @post("/internal/v1/tokens", status_code=201)
    async def mint(request: Request[Any, Any, Any]) -> Response[bytes]:
        if request.headers.get("authorization") != f"Bearer {CREDENTIAL}":
            return Response(b"{}", status_code=401)
        wanted = msgspec.json.decode(await request.body(), type=MintTokenRequest)
        if wanted.user_id and wanted.caller_scopes is None:
            return Response(b'{"field":"caller_scopes"}', status_code=400)  # as identity: a delegation names its caller
        if wanted.user_id and not any(scope_grants(h, s) for s in wanted.scopes for h in wanted.caller_scopes or ()):
            return Response(b"{}", status_code=403)
        subject = f"user:{wanted.user_id}" if wanted.user_id else f"service:{wanted.service}"
        return Response(msgspec.json.encode(MintedToken(token=subject, expires_in=300)), status_code=201)

    @get("/v1/datasets/{dataset_id:uuid}/rows")
    async def rows(request: Request[Any, Any, Any], dataset_id: FromPath[uuid.UUID]) -> Response[bytes]:
        found = state.datasets.get(dataset_id)
        if found is None or str(found[0]) != _owner(request) or request.query_params.get("version", "1") != "1":
            return _not_found()
        data = found[1]
        start, limit = int(request.query_params.get("cursor") or 0), int(request.query_params.get("limit", 100))
        more = start + limit < len(data)
        page = DatasetRowsPage(
            dataset_id=dataset_id,
            version=1,
            columns=[DatasetColumn(name=name, type="string") for name in data[0]] if data else [],
            data=[DatasetRow(row_number=start + i + 1, values=v) for i, v in enumerate(data[start : start + limit])],
            has_more=more,
            next_cursor=str(start + limit) if more else None,
        )
        return Response(msgspec.json.encode(page), media_type="application/json")

    @get("/v1/files/{file_id:uuid}/content")
    async def file_content(request: Request[Any, Any, Any], file_id: FromPath[uuid.UUID]) -> Response[bytes]:
        found = state.files.get(file_id)
        if found is None or str(found[0]) != _owner(request):
            return _not_found()
        start = int(request.headers.get("range", "bytes=0-").removeprefix("bytes=").rstrip("-") or 0)
        if start >= len(found[1]):
            return Response(b"", status_code=416)
        return Response(found[1][start:], status_code=206 if start else 200, media_type="application/jsonl")

    @get("/v1/models/{name:str}")
    async def model(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
        if str(state.deployments.get(name)) != _owner(request):
            return _not_found()
        return Response(msgspec.json.encode({"id": name, "object": "model"}), media_type="application/json")

    @post("/v1/chat/completions", status_code=200)
    async def chat(request: Request[Any, Any, Any]) -> Response[bytes]:
        body = msgspec.json.decode(await request.body())
        if str(state.deployments.get(body.get("model"))) != _owner(request):
            return _not_found()
        state.chat_calls += 1
        if state.delay_seconds:
            await asyncio.sleep(state.delay_seconds)
        prompt = body["messages"][-1]["content"]
        answer = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": prompt}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": len(prompt.split()),
                      "total_tokens": 2 * len(prompt.split())},
        }  # fmt: skip
        return Response(msgspec.json.encode(answer), media_type="application/json")

    @post("/internal/v1/audit-events", status_code=200)
    async def audit(request: Request[Any, Any, Any]) -> BatchReceipt:
        batch = msgspec.json.decode(await request.body(), type=OperationEventBatch)
        state.audit_actions += [e.action for e in batch.events]
        return BatchReceipt(accepted=len(batch.events), duplicates=0)

    @post("/v1/usage-events", status_code=200)
    async def usage(request: Request[Any, Any, Any]) -> UsageBatchReceipt:
        batch = msgspec.json.decode(await request.body(), type=UsageEventBatch)
        results = []
        for event in batch.events:
            duplicate = event.event_id in state.usage_events
            state.usage_events.setdefault(event.event_id, event)
            results.append(UsageEventResult(event_id=event.event_id, status="duplicate" if duplicate else "accepted",
                                            status_code=200))  # fmt: skip
        accepted = sum(1 for r in results if r.status == "accepted")
        return UsageBatchReceipt(results=results, accepted=accepted, duplicates=len(results) - accepted, rejected=0)

    return Litestar([mint, rows, file_content, model, chat, audit, usage])


@contextmanager
def serving(app: Litestar, port: int) -> Iterator[str]:
    """Serves ``app`` on 127.0.0.1:``port`` from a thread of this process until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    """Serve one user's dataset of ``FAKE_REGISTRY_ROWS`` rows and an ``echo`` deployment (benchmarks).

    ``FAKE_REGISTRY_OWNER`` owns both; the dataset's id is ``FAKE_REGISTRY_DATASET``; rows have
    ``q`` (``"n"``) and ``expected`` (the same) columns.
    """
    import os

    owner = uuid.UUID(os.environ["FAKE_REGISTRY_OWNER"])
    state = RegistryState()
    state.deployments["echo"] = owner
    rows = [{"q": str(i), "expected": str(i)} for i in range(int(os.environ["FAKE_REGISTRY_ROWS"]))]
    state.datasets[uuid.UUID(os.environ["FAKE_REGISTRY_DATASET"])] = (owner, rows)
    uvicorn.run(
        fake_registry_app(state),
        host="127.0.0.1",
        port=int(os.environ["FAKE_REGISTRY_PORT"]),
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()

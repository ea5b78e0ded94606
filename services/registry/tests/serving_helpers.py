"""Helpers of the serving tests over real HTTP (fixtures are in serving/conftest.py)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
import uvicorn
from fakes import FakeFirebase
from litestar import Litestar
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.common.contracts.usage import UsageEventBatch, UsageEventIn
from mlp.common.runtime.outbox import USAGE_ENTRYPOINT
from mlp.registry.adapters.db.tables import model_versions, models

SCOPES = ["models:read", "models:write", "inference"]
FIREBASE = FakeFirebase()


async def serve(app: Litestar) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, task, f"http://127.0.0.1:{port}"


@dataclass
class Registry:
    url: str
    app: Litestar


@dataclass
class User:
    user_id: uuid.UUID
    api_key: str
    headers: dict[str, str]
    http: httpx.AsyncClient


async def new_user(identity_url: str, registry_url: str, scopes: list[str], **key: Any) -> User:
    _, token = FIREBASE.new_user()
    async with httpx.AsyncClient(base_url=identity_url) as http:
        signed_in = await http.post("/v1/auth/sign-in", json={"id_token": token})
        assert signed_in.status_code == 201, signed_in.text
        session = {"authorization": f"Bearer {signed_in.json()['platform_token']}"}
        created = await http.post("/v1/api-keys", json={"name": "serving", "scopes": scopes, **key}, headers=session)
        assert created.status_code == 201, created.text
    secret = created.json()["secret"]
    headers = {"authorization": f"Bearer {secret}"}
    client = httpx.AsyncClient(base_url=registry_url, headers=headers, timeout=30)
    return User(uuid.UUID(signed_in.json()["user"]["id"]), secret, headers, client)


async def add_model_version(
    engine: AsyncEngine, user_id: uuid.UUID, model_id: uuid.UUID | None = None, artifact_uri: str | None = "test-model"
) -> uuid.UUID:
    """A model version as the model registry stores it (its use cases are another area's); by default
    one the stand-in model server serves."""
    async with engine.begin() as conn:
        if model_id is None:
            model_id = (
                await conn.execute(
                    insert(models).values(user_id=user_id, name=f"m-{uuid.uuid4().hex[:8]}").returning(models.c.id)
                )
            ).scalar_one()
        version = (
            await conn.execute(
                insert(model_versions)
                .values(
                    model_id=model_id,
                    user_id=user_id,
                    artifact_uri=artifact_uri,
                    version=(await conn.execute(count_versions(model_id))).scalar_one() + 1,
                )
                .returning(model_versions.c.id)
            )
        ).scalar_one()
    return uuid.UUID(str(version))


async def model_of(engine: AsyncEngine, version_id: uuid.UUID) -> uuid.UUID:
    """The model a version belongs to."""
    async with engine.connect() as conn:
        found = await conn.execute(select(model_versions.c.model_id).where(model_versions.c.id == version_id))
        return uuid.UUID(str(found.scalar_one()))


def count_versions(model_id: uuid.UUID) -> Any:
    return select(func.count()).select_from(model_versions).where(model_versions.c.model_id == model_id)


async def deploy(
    user: User, engine: AsyncEngine, upstream: str, kind: str = "openai-chat", **extra: Any
) -> dict[str, Any]:
    version_id = extra.pop("model_version_id", None) or await add_model_version(engine, user.user_id)
    body = {
        "name": extra.pop("name", f"dep-{uuid.uuid4().hex[:8]}"),
        "kind": kind,
        "model_version_id": str(version_id),
        "upstream_url": upstream,
        **extra,
    }
    response = await user.http.post("/v1/deployments", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def usage_jobs(engine: AsyncEngine) -> list[UsageEventIn]:
    """The usage events waiting in registry's outbox (pgqueuer jobs for billing)."""
    async with engine.connect() as conn:
        payloads = (
            await conn.execute(
                text("SELECT payload FROM registry.pgqueuer WHERE entrypoint = :e"), {"e": USAGE_ENTRYPOINT}
            )
        ).scalars()
        return [e for p in payloads for e in msgspec.json.decode(p, type=UsageEventBatch).events]

"""Nothing acknowledged is lost on a clean stop: the app's shutdown flushes the inference log."""

from __future__ import annotations

from dataclasses import replace

import httpx
from serving_helpers import User, deploy, serve
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.devtools.model_server import ModelServer
from mlp.registry.app import create_app
from mlp.registry.settings import RegistrySettings


async def test_a_clean_stop_writes_every_buffered_call(
    user: User, engine: AsyncEngine, model_server: ModelServer, database_url: str, identity_url: str
) -> None:
    settings = RegistrySettings(
        database_url=database_url,
        identity_url=identity_url,
        egress_allow="127.0.0.0/8,::1",
        inference_log_flush_seconds=3600,  # only the shutdown flush can write them
        log_level="WARNING",
    )
    server, task, url = await serve(create_app(settings))
    async with httpx.AsyncClient(base_url=url, headers=user.headers) as http:
        await deploy(replace(user, http=http), engine, f"{model_server.url}/v1", name="flushed")
        chat = {"model": "flushed", "messages": [{"role": "user", "content": "keep me"}]}
        for _ in range(5):
            assert (await http.post("/v1/chat/completions", json=chat)).status_code == 200
    query = text("SELECT count(*) FROM registry.inference_requests WHERE user_id = :u")
    async with engine.connect() as conn:
        assert (await conn.execute(query, {"u": user.user_id})).scalar_one() == 0  # still buffered
    server.should_exit = True
    await task
    async with engine.connect() as conn:
        assert (await conn.execute(query, {"u": user.user_id})).scalar_one() == 5

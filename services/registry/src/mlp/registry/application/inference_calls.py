"""One inference call as the API hands it to the proxy, and where each endpoint goes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from mlp.registry.application.inference_bodies import RequestBody
from mlp.registry.domain.inference import Endpoint

KIND_OF_ENDPOINT = {
    "chat.completions": "openai-chat",
    "completions": "openai-completions",
    "embeddings": "openai-embeddings",
    "predict": "http-json",
}
UPSTREAM_PATH = {"chat.completions": "/chat/completions", "completions": "/completions", "embeddings": "/embeddings"}


@dataclass(frozen=True)
class Call:
    """One inference call as the API hands it over."""

    user_id: uuid.UUID
    api_key_id: uuid.UUID | None
    request_id: str
    endpoint: Endpoint
    body: RequestBody
    started: float
    """``time.perf_counter()`` when the request arrived."""
    hide_usage: bool = False
    """The body asks the upstream for a stream's usage the client did not ask for (see StreamTokens)."""

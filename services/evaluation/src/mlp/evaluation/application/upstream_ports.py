"""What evaluation's use cases need of the other services: registry (rows, deployments, inference)
and identity (tokens acting for a user)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from mlp.common.contracts.datasets import DatasetRowsPage
from mlp.evaluation.domain.runs import DataKind


class DatasetRows(Protocol):
    """registry's dataset rows (or a JSONL file's lines), read as the user; another user's is ``NotFound``."""

    async def page(
        self,
        token: str,
        dataset_id: uuid.UUID,
        version: int | None,
        cursor: str | None,
        limit: int,
        kind: DataKind = "dataset",
    ) -> DatasetRowsPage: ...


@dataclass(frozen=True)
class Completion:
    content: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


class UpstreamError(Exception):
    """A model call that failed; ``cause`` is the stable error type recorded on the row."""

    def __init__(self, cause: str, detail: str) -> None:
        super().__init__(detail)
        self.cause = cause
        self.detail = detail


class ChatModel(Protocol):
    """registry's OpenAI-compatible chat completions, called as the user (``model`` = deployment)."""

    async def complete(
        self, token: str, model: str, messages: list[dict[str, str]], options: dict[str, Any]
    ) -> Completion:
        """Raises ``UpstreamError`` (``deployment_not_found``, ``upstream_error``, ``timeout``...)."""
        ...


class Deployments(Protocol):
    async def exists(self, token: str, name: str) -> bool:
        """Whether the user (whose token this is) has a deployment of that name (``GET /v1/models/{name}``)."""
        ...


class UserTokens(Protocol):
    """identity's tokens acting for a user, minted with evaluation's service credential."""

    async def for_user(self, user_id: uuid.UUID, scopes: tuple[str, ...], caller_scopes: tuple[str, ...]) -> str:
        """A token acting for the user with ``scopes`` as far as ``caller_scopes`` (who asked) cover them."""
        ...

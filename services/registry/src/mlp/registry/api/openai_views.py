"""Deployments as OpenAI's ``/v1/models`` shows models."""

from __future__ import annotations

from typing import Literal

import msgspec

from mlp.registry.domain.deployments import Deployment


class ModelView(msgspec.Struct, kw_only=True):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str
    kind: str
    status: str

    @classmethod
    def of(cls, d: Deployment) -> ModelView:
        return cls(
            id=d.name, created=int(d.created_at.timestamp()), owned_by=str(d.user_id), kind=d.kind, status=d.status
        )


class ModelList(msgspec.Struct, kw_only=True):
    object: Literal["list"] = "list"
    data: list[ModelView]

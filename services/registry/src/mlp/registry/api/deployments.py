"""``/v1/deployments``: deploy a model version behind an upstream, roll it out, stop, start, delete, history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from msgspec import UnsetType

from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal
from mlp.common.runtime.service_app import state_dependencies
from mlp.registry.api.deployment_views import (
    CanaryIn,
    DeploymentIn,
    DeploymentPageView,
    DeploymentPatch,
    DeploymentView,
    HistoryView,
    RevisionView,
)
from mlp.registry.application.deployment_drafts import CanaryDraft, DeploymentChange, DeploymentDraft
from mlp.registry.application.deployment_revisions import DeploymentRevisions
from mlp.registry.application.deployments import Deployments

READ = requires_scopes("models:read")
WRITE = requires_scopes("models:write")
PageSize = Annotated[int, QueryParameter(ge=1, le=100)]


def _canary(data: CanaryIn | UnsetType | None) -> CanaryDraft | UnsetType | None:
    if data is None or isinstance(data, UnsetType):
        return data
    return CanaryDraft(data.model_version_id, data.weight, data.served_model)


class DeploymentController(Controller):
    path = "/v1/deployments"
    tags = ["deployments"]
    dependencies = state_dependencies("deployments", "deployment_revisions")

    @post(opt=WRITE, summary="Deploy a model version (probed once before answering)")
    async def create(
        self,
        data: JSONBody[DeploymentIn],
        request: Request[Principal, Any, Any],
        deployments: NamedDependency[Deployments],
    ) -> DeploymentView:
        draft = DeploymentDraft(
            name=data.name,
            kind=data.kind,
            model_version_id=data.model_version_id,
            upstream_url=data.upstream_url,
            credential=data.upstream_api_key,
            connect_timeout_seconds=data.connect_timeout_seconds,
            timeout_seconds=data.timeout_seconds,
            served_model=data.served_model,
            fallbacks=tuple(data.fallbacks),
        )
        return DeploymentView.of(await deployments.create(request.user.user_id, draft))

    @get(opt=READ, summary="My deployments, newest first")
    async def list_deployments(
        self,
        request: Request[Principal, Any, Any],
        deployments: NamedDependency[Deployments],
        limit: PageSize = 50,
        cursor: Annotated[str | None, QueryParameter(max_length=256)] = None,
    ) -> DeploymentPageView:
        page = await deployments.page(request.user.user_id, limit, cursor)
        return DeploymentPageView(
            data=[DeploymentView.of(d) for d in page.items],
            has_more=page.next_cursor is not None,
            next_cursor=page.next_cursor,
        )

    @get("/{deployment_id:uuid}", opt=READ, summary="One deployment")
    async def get_deployment(
        self,
        deployment_id: FromPath[uuid.UUID],
        request: Request[Principal, Any, Any],
        deployments: NamedDependency[Deployments],
    ) -> DeploymentView:
        return DeploymentView.of(await deployments.get(request.user.user_id, deployment_id))

    @patch("/{deployment_id:uuid}", opt=WRITE, summary="Roll out another version, change upstream or timeouts")
    async def update(
        self,
        deployment_id: FromPath[uuid.UUID],
        data: JSONBody[DeploymentPatch],
        request: Request[Principal, Any, Any],
        deployments: NamedDependency[Deployments],
    ) -> DeploymentView:
        change = DeploymentChange(
            model_version_id=data.model_version_id,
            upstream_url=data.upstream_url,
            credential=data.upstream_api_key,
            clear_credential=data.clear_upstream_api_key,
            connect_timeout_seconds=data.connect_timeout_seconds,
            timeout_seconds=data.timeout_seconds,
            served_model=data.served_model,
            fallbacks=None if data.fallbacks is None else tuple(data.fallbacks),
            canary=_canary(data.canary),
        )
        return DeploymentView.of(await deployments.update(request.user.user_id, deployment_id, change))

    @post("/{deployment_id:uuid}/rollback", opt=WRITE, status_code=200, summary="Serve the previous revision again")
    async def rollback(
        self,
        deployment_id: FromPath[uuid.UUID],
        request: Request[Principal, Any, Any],
        deployment_revisions: NamedDependency[DeploymentRevisions],
    ) -> DeploymentView:
        return DeploymentView.of(await deployment_revisions.rollback(request.user.user_id, deployment_id))

    @post("/{deployment_id:uuid}/promote", opt=WRITE, status_code=200, summary="The canary serves every call")
    async def promote(
        self,
        deployment_id: FromPath[uuid.UUID],
        request: Request[Principal, Any, Any],
        deployment_revisions: NamedDependency[DeploymentRevisions],
    ) -> DeploymentView:
        return DeploymentView.of(await deployment_revisions.promote(request.user.user_id, deployment_id))

    @post("/{deployment_id:uuid}/stop", opt=WRITE, status_code=200, summary="Stop serving (ready -> stopped)")
    async def stop(
        self,
        deployment_id: FromPath[uuid.UUID],
        request: Request[Principal, Any, Any],
        deployments: NamedDependency[Deployments],
    ) -> DeploymentView:
        return DeploymentView.of(await deployments.stop(request.user.user_id, deployment_id))

    @post("/{deployment_id:uuid}/start", opt=WRITE, status_code=200, summary="Serve again (stopped -> ready)")
    async def start(
        self,
        deployment_id: FromPath[uuid.UUID],
        request: Request[Principal, Any, Any],
        deployments: NamedDependency[Deployments],
    ) -> DeploymentView:
        return DeploymentView.of(await deployments.start(request.user.user_id, deployment_id))

    @delete("/{deployment_id:uuid}", opt=WRITE, summary="Stop and delete a deployment")
    async def delete_deployment(
        self,
        deployment_id: FromPath[uuid.UUID],
        request: Request[Principal, Any, Any],
        deployments: NamedDependency[Deployments],
    ) -> None:
        await deployments.delete(request.user.user_id, deployment_id)

    @get("/{deployment_id:uuid}/history", opt=READ, summary="Versions served over time (?at= for one moment)")
    async def history(
        self,
        deployment_id: FromPath[uuid.UUID],
        request: Request[Principal, Any, Any],
        deployment_revisions: NamedDependency[DeploymentRevisions],
        at: FromQuery[datetime | None] = None,
    ) -> HistoryView:
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=UTC)  # a moment without an offset is read as UTC
        revisions = await deployment_revisions.history(request.user.user_id, deployment_id, at)
        return HistoryView(deployment_id=deployment_id, at=at, revisions=[RevisionView.of(r) for r in revisions])

"""Deployments and their revisions in PostgreSQL (schema ``registry``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from mlp.registry.adapters.db.cursors import decode_cursor, encode_cursor
from mlp.registry.adapters.db.tables_serving import deployment_revisions, deployments, inference_requests
from mlp.registry.application.serving_ports import DeploymentPage
from mlp.registry.domain.deployment_errors import NameTaken
from mlp.registry.domain.deployments import Canary, Deployment, ModelVersionRef, Revision, Timeouts

_d = deployments.c
_r = deployment_revisions.c
LIVE = and_(_d.deleted_at.is_(None), _d.status != "stopped")


def to_canary(row: Row[Any], model_id: uuid.UUID) -> Canary | None:
    if row.canary_model_version_id is None:
        return None
    serves = ModelVersionRef(model_id, row.canary_model_version_id, row.canary_model_version)
    return Canary(serves, row.canary_served_model, row.canary_weight)


def canary_values(canary: Canary | None) -> dict[str, Any]:
    return {
        "canary_model_version_id": canary.serves.version_id if canary else None,
        "canary_model_version": canary.serves.version if canary else None,
        "canary_served_model": canary.served_model if canary else None,
        "canary_weight": canary.weight if canary else None,
    }


def to_deployment(row: Row[Any]) -> Deployment:
    return Deployment(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        kind=row.kind,
        serves=ModelVersionRef(row.model_id, row.model_version_id, row.model_version),
        upstream_url=row.upstream_url,
        has_credential=row.credential_ciphertext is not None,
        timeouts=Timeouts(row.connect_timeout_seconds, row.timeout_seconds),
        status=row.status,
        status_detail=row.status_detail,
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_probed_at=row.last_probed_at,
        served_model=row.served_model,
        fallbacks=tuple(row.fallback_ids),
        canary=to_canary(row, row.model_id),
    )


def _values(d: Deployment) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "model_id": d.serves.model_id,
        "model_version_id": d.serves.version_id,
        "model_version": d.serves.version,
        "upstream_url": d.upstream_url,
        "connect_timeout_seconds": d.timeouts.connect_seconds,
        "timeout_seconds": d.timeouts.read_seconds,
        "status": d.status,
        "status_detail": d.status_detail,
        "updated_at": d.updated_at,
        "served_model": d.served_model,
        "fallback_ids": list(d.fallbacks),
        **canary_values(d.canary),
    }


class SqlDeploymentRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, deployment: Deployment, credential: bytes | None) -> None:
        values = _values(deployment) | {
            "id": deployment.id,
            "user_id": deployment.user_id,
            "name": deployment.name,
            "credential_ciphertext": credential,
            "created_at": deployment.created_at,
        }
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(insert(deployments).values(values))
        except IntegrityError as exc:
            if "uq_deployments_user_name" in str(exc.orig):
                raise NameTaken(f"a deployment named '{deployment.name}' already exists", "name") from exc
            raise

    async def get(self, user_id: uuid.UUID, deployment_id: uuid.UUID) -> Deployment | None:
        row = (
            await self._conn.execute(
                select(deployments).where(_d.id == deployment_id, _d.user_id == user_id, _d.deleted_at.is_(None))
            )
        ).first()
        return to_deployment(row) if row else None

    async def by_name(self, user_id: uuid.UUID, name: str) -> tuple[Deployment, bytes | None] | None:
        row = (
            await self._conn.execute(
                select(deployments).where(_d.user_id == user_id, _d.name == name, _d.deleted_at.is_(None))
            )
        ).first()
        return (to_deployment(row), row.credential_ciphertext) if row else None

    async def page(self, user_id: uuid.UUID, limit: int, cursor: str | None) -> DeploymentPage:
        query = select(deployments).where(_d.user_id == user_id, _d.deleted_at.is_(None))
        if cursor:
            query = query.where(tuple_(_d.created_at, _d.id) < tuple_(*decode_cursor(cursor)))
        rows = (await self._conn.execute(query.order_by(_d.created_at.desc(), _d.id.desc()).limit(limit + 1))).all()
        items = [to_deployment(r) for r in rows[:limit]]
        more = len(rows) > limit
        return DeploymentPage(items, encode_cursor(items[-1].created_at, items[-1].id) if more else None)

    async def live(self, limit: int) -> list[tuple[Deployment, bytes | None]]:
        query = select(deployments).where(LIVE).order_by(_d.last_probed_at.asc().nulls_first()).limit(limit)
        return [(to_deployment(r), r.credential_ciphertext) for r in await self._conn.execute(query)]

    async def save(self, deployment: Deployment, credential: bytes | bool | None = False) -> None:
        values = _values(deployment)
        if credential is not False:
            values["credential_ciphertext"] = credential
        await self._conn.execute(update(deployments).where(_d.id == deployment.id).values(values))

    async def record_probe(self, probed: Deployment, previous_status: str) -> bool:
        result = await self._conn.execute(
            update(deployments)
            .where(_d.id == probed.id, _d.status == previous_status, _d.deleted_at.is_(None))
            .values(status=probed.status, status_detail=probed.status_detail, last_probed_at=probed.last_probed_at)
            .returning(_d.id)
        )
        return result.first() is not None

    async def delete(self, user_id: uuid.UUID, deployment_id: uuid.UUID, at: datetime) -> None:
        await self._conn.execute(
            update(deployments).where(_d.id == deployment_id, _d.user_id == user_id).values(deleted_at=at)
        )
        await self._conn.execute(
            update(deployment_revisions)
            .where(_r.deployment_id == deployment_id, _r.valid_to.is_(None))
            .values(valid_to=at)
        )

    async def open_revision(self, deployment: Deployment, at: datetime) -> None:
        await self._conn.execute(
            update(deployment_revisions)
            .where(_r.deployment_id == deployment.id, _r.valid_to.is_(None))
            .values(valid_to=func.greatest(_r.valid_from, at))
        )
        await self._conn.execute(
            insert(deployment_revisions).values(
                user_id=deployment.user_id,
                deployment_id=deployment.id,
                model_version_id=deployment.serves.version_id,
                model_version=deployment.serves.version,
                valid_from=at,
                served_model=deployment.served_model,
                **canary_values(deployment.canary),
            )
        )

    async def revisions(self, user_id: uuid.UUID, deployment_id: uuid.UUID) -> list[Revision]:
        rows = await self._conn.execute(
            select(deployment_revisions, deployments.c.model_id)
            .join(deployments, deployments.c.id == _r.deployment_id)
            .where(_r.deployment_id == deployment_id, _r.user_id == user_id)
            .order_by(_r.valid_from, _r.id)
        )
        return [
            Revision(
                r.deployment_id,
                ModelVersionRef(r.model_id, r.model_version_id, r.model_version),
                r.valid_from,
                r.valid_to,
                r.served_model,
                to_canary(r, r.model_id),
            )
            for r in rows
        ]

    async def purge_user(self, user_id: uuid.UUID) -> list[uuid.UUID]:
        """Every deployment of the user (revisions cascade) and their inference log; the ids removed."""
        await self._conn.execute(delete(inference_requests).where(inference_requests.c.user_id == user_id))
        removed = await self._conn.execute(delete(deployments).where(_d.user_id == user_id).returning(_d.id))
        return [row.id for row in removed]

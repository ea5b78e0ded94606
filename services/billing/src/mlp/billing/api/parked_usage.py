"""``/internal/v1/parked-usage-events``: operators (platform services) list and replay parked usage."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from prometheus_client import Counter

from mlp.billing.application.parking import ParkedUsage
from mlp.common.auth.litestar import SERVICE_ONLY
from mlp.common.contracts.usage import MAX_USAGE_BATCH, UsageBatchReceipt

PARKED_PATH = "/internal/v1/parked-usage-events"

PARKED = Counter(
    "mlp_usage_events_parked_total",
    "Usage events of platform services refused by ingestion and parked for replay",
    ["source", "status"],
)


def count_parked(source: str, receipt: UsageBatchReceipt) -> None:
    for result in receipt.results:
        if result.parked:
            PARKED.labels(source, result.status).inc()


class ParkedUsageView(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    source: str
    event_id: str
    user_id: uuid.UUID | None
    event: str
    """The event as sent (JSON)."""
    status_code: int
    reason: str
    attempts: int
    parked_at: datetime
    last_tried_at: datetime


class ParkedUsagePage(msgspec.Struct, frozen=True, kw_only=True):
    data: list[ParkedUsageView]


class ReplayIn(msgspec.Struct, frozen=True, kw_only=True):
    ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=MAX_USAGE_BATCH)] | None = None
    """These events; without ids, the oldest ``limit``."""
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_USAGE_BATCH)] = MAX_USAGE_BATCH


class ReplayView(msgspec.Struct, frozen=True, kw_only=True):
    replayed: int
    resolved: int
    """Accepted (or found already stored) this time: no longer parked."""
    still_parked: int


@get(PARKED_PATH, opt=SERVICE_ONLY, tags=["usage"], summary="Parked usage events (refused), oldest first")
async def list_parked(
    parked_usage: NamedDependency[ParkedUsage],
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
    source: Annotated[str | None, QueryParameter(max_length=64)] = None,
) -> ParkedUsagePage:
    rows = await parked_usage.list(limit, source)
    return ParkedUsagePage(data=[msgspec.convert(r, ParkedUsageView) for r in rows])


@post(
    f"{PARKED_PATH}/replay",
    opt=SERVICE_ONLY,
    status_code=200,
    tags=["usage"],
    summary="Ingest parked events again (once their cause is fixed); the resolved ones leave the table",
)
async def replay_parked(data: JSONBody[ReplayIn], parked_usage: NamedDependency[ParkedUsage]) -> ReplayView:
    outcome = await parked_usage.replay(data.ids, data.limit)
    return ReplayView(replayed=outcome.replayed, resolved=outcome.resolved, still_parked=outcome.still_parked)

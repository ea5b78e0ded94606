"""``POST /v1/usage-events`` (our batch, or CloudEvents) and ``GET /v1/usage-events/{event_id}``."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from mlp.billing.api.callers import USAGE_WRITERS, usage_caller
from mlp.billing.api.cloudevents import CLOUDEVENT, CLOUDEVENTS_BATCH, CloudEvent, to_raw
from mlp.billing.api.parked_usage import count_parked
from mlp.billing.api.views import UsageEventStatusView
from mlp.billing.application.event_validation import RawUsageEvent
from mlp.billing.application.ingestion import UsageIngestion
from mlp.billing.application.reports import UsageReports
from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal
from mlp.common.contracts.usage import (
    MAX_USAGE_BATCH,
    USAGE_EVENTS_PATH,
    UsageBatchReceipt,
    UsageEventBatch,
    UsageEventIn,
)
from mlp.common.runtime.problems import Problem


class RawEventWire(msgspec.Struct, kw_only=True):
    """Every field optional and untyped: each event's faults are reported per event, not as a 400."""

    event_id: Any = None
    user_id: Any = None
    metric: Any = None
    quantity: Any = None
    timestamp: Any = None
    properties: Any = None


class RawBatchWire(msgspec.Struct, kw_only=True):
    events: list[RawEventWire]


_CLOUDEVENT = msgspec.json.Decoder(CloudEvent, float_hook=Decimal)
_CLOUDEVENTS = msgspec.json.Decoder(list[CloudEvent], float_hook=Decimal)
_BATCH = msgspec.json.Decoder(RawBatchWire, float_hook=Decimal)
_STRICT_BATCH = msgspec.json.Decoder(UsageEventBatch)


def _decode(body: bytes, content_type: str) -> Sequence[RawUsageEvent | UsageEventIn]:
    """The contract's batch when every event fits it (decoded in C, the fast path); otherwise each
    event leniently, so that its faults are reported per event. JSON numbers become Decimals exactly
    as written, never through a float."""
    if content_type not in (CLOUDEVENT, CLOUDEVENTS_BATCH):
        try:
            return _STRICT_BATCH.decode(body).events
        except msgspec.DecodeError:
            pass
    try:
        if content_type == CLOUDEVENT:
            return [to_raw(_CLOUDEVENT.decode(body))]
        if content_type == CLOUDEVENTS_BATCH:
            return [to_raw(e) for e in _CLOUDEVENTS.decode(body)]
        batch = _BATCH.decode(body)
    except msgspec.DecodeError as exc:
        raise Problem(400, "invalid-json", f"the body is not a usage batch: {exc}", field="events") from None
    return [RawUsageEvent(e.event_id, e.user_id, e.metric, e.quantity, e.timestamp, e.properties) for e in batch.events]


@post(
    USAGE_EVENTS_PATH,
    opt=USAGE_WRITERS,
    status_code=200,
    tags=["usage"],
    summary="Report usage events (batch of up to 1,000; CloudEvents accepted); a result per event",
)
async def report_usage(
    request: Request[Principal, Any, State], usage_ingestion: NamedDependency[UsageIngestion]
) -> UsageBatchReceipt:
    caller = usage_caller(request.user)
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    events = _decode(await request.body(), content_type)
    if not 1 <= len(events) <= MAX_USAGE_BATCH:
        raise Problem(422, "invalid-batch-size", f"a batch holds 1 to {MAX_USAGE_BATCH} events", field="events")
    receipt = await usage_ingestion.ingest(events, caller)
    count_parked(caller.source, receipt)
    return receipt


@get(
    f"{USAGE_EVENTS_PATH}/{{event_id:str}}",
    opt=requires_scopes("billing:read"),
    tags=["usage"],
    summary="An event's status: accepted, rated (period, amount) or pushed to Stripe",
)
async def usage_event_status(
    event_id: FromPath[str],
    request: Request[Principal, Any, State],
    usage_reports: NamedDependency[UsageReports],
    source: Annotated[
        str | None,
        QueryParameter(max_length=64, description="who reported it (a service, or user); default: the platform's"),
    ] = None,
) -> UsageEventStatusView:
    found = await usage_reports.event_status(request.user.user_id, event_id, source)
    return UsageEventStatusView(
        event_id=found["event_id"],
        source=found["source"],
        status=found["status"],
        metric=found["metric"],
        quantity=found["quantity"],
        timestamp=found["occurred_at"],
        received_at=found["received_at"],
        period=found["period"],
        price_book_id=found["price_book_id"],
        amount=found["amount"],
        currency=found["currency"],
        pushed_to_stripe_at=found["stripe_pushed_at"],
    )

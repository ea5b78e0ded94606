"""``/v1/stripe/events``: operators (platform services) list the Stripe events that failed and replay one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from mlp.billing.application.stripe_webhooks import StripeWebhooks
from mlp.common.auth.litestar import SERVICE_ONLY


class StripeEventView(msgspec.Struct, frozen=True, kw_only=True):
    stripe_event_id: str
    type: str
    status: str
    error: str | None
    attempts: int
    created_at: datetime


class StripeEventPage(msgspec.Struct, frozen=True, kw_only=True):
    data: list[StripeEventView]


class Replayed(msgspec.Struct, frozen=True, kw_only=True):
    stripe_event_id: str
    queued: bool


@get("/v1/stripe/events/failed", opt=SERVICE_ONLY, tags=["stripe"], summary="Stripe events that failed, newest first")
async def failed_stripe_events(
    stripe_webhooks: NamedDependency[StripeWebhooks], limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50
) -> StripeEventPage:
    rows = await stripe_webhooks.failed(limit)
    return StripeEventPage(data=[msgspec.convert(r, StripeEventView) for r in rows])


@post(
    "/v1/stripe/events/{stripe_event_id:str}/replay",
    opt=SERVICE_ONLY,
    status_code=202,
    tags=["stripe"],
    summary="Process a failed Stripe event again",
)
async def replay_stripe_event(
    stripe_event_id: FromPath[Annotated[str, msgspec.Meta(max_length=255)]],
    stripe_webhooks: NamedDependency[StripeWebhooks],
) -> Replayed:
    await stripe_webhooks.replay(stripe_event_id)
    return Replayed(stripe_event_id=stripe_event_id, queued=True)

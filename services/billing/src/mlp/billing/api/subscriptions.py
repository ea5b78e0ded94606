"""Paying: ``POST /v1/checkout-sessions`` (subscribe to the plan on Stripe's page), ``POST
/v1/portal-sessions`` (manage payment methods, invoices, cancel) and ``GET /v1/subscriptions``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency

from mlp.billing.application.subscriptions import Subscriptions
from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal

Caller = Request[Principal, Any, State]


class CheckoutSessionView(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    url: str


class PortalSessionView(msgspec.Struct, frozen=True, kw_only=True):
    url: str


class SubscriptionView(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    stripe_subscription_id: str
    status: str
    cancel_at_period_end: bool
    current_period_start: datetime | None
    current_period_end: datetime | None
    created_at: datetime
    updated_at: datetime


class SubscriptionPage(msgspec.Struct, frozen=True, kw_only=True):
    data: list[SubscriptionView]


@post(
    "/v1/checkout-sessions",
    opt=requires_scopes("billing:write"),
    status_code=201,
    tags=["payment"],
    summary="Subscribe to the plan: a Stripe Checkout page",
)
async def create_checkout_session(
    request: Caller, subscriptions: NamedDependency[Subscriptions]
) -> CheckoutSessionView:
    link = await subscriptions.checkout(request.user.user_id)
    return CheckoutSessionView(id=link.id, url=link.url)


@post(
    "/v1/portal-sessions",
    opt=requires_scopes("billing:write"),
    status_code=201,
    tags=["payment"],
    summary="Stripe's customer portal (payment methods, invoices, cancellation)",
)
async def create_portal_session(request: Caller, subscriptions: NamedDependency[Subscriptions]) -> PortalSessionView:
    return PortalSessionView(url=await subscriptions.portal(request.user.user_id))


@get("/v1/subscriptions", opt=requires_scopes("billing:read"), tags=["payment"], summary="The caller's subscriptions")
async def list_subscriptions(request: Caller, subscriptions: NamedDependency[Subscriptions]) -> SubscriptionPage:
    rows = await subscriptions.of_user(request.user.user_id)
    return SubscriptionPage(data=[msgspec.convert(r, SubscriptionView) for r in rows])

"""What billing's API answers: msgspec Structs, never domain entities. Money: integer minor units
(``*_minor``) once rounded; exact unrounded costs are decimal strings in minor units."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec


class UsageEventStatusView(msgspec.Struct, frozen=True, kw_only=True):
    event_id: str
    source: str
    """Who reported it: a platform service, or ``user`` (the user's own ``custom.*`` usage)."""
    status: str
    metric: str
    quantity: Decimal
    timestamp: datetime
    received_at: datetime
    period: str
    price_book_id: uuid.UUID | None
    amount: Decimal | None
    """This event's pro-rata share of its period line's exact cost (minor units, unrounded)."""
    currency: str | None
    pushed_to_stripe_at: datetime | None


class SummaryLineView(msgspec.Struct, frozen=True, kw_only=True):
    metric: str
    price_book_id: uuid.UUID | None
    currency: str | None
    quantity: Decimal
    events: int
    cost: Decimal
    amount_minor: int


class UsageSummaryView(msgspec.Struct, frozen=True, kw_only=True):
    period: str
    period_start: date
    period_end: date
    lines: list[SummaryLineView]
    totals_minor: dict[str, int]


class DailyUsageView(msgspec.Struct, frozen=True, kw_only=True):
    day: date
    metric: str
    quantity: Decimal
    events: int
    cost: Decimal


class DailyUsagePage(msgspec.Struct, frozen=True, kw_only=True):
    data: list[DailyUsageView]


class TierView(msgspec.Struct, frozen=True, kw_only=True):
    up_to: Decimal | None
    unit_price: Decimal
    flat_fee: Decimal = Decimal(0)


class PriceItemView(msgspec.Struct, frozen=True, kw_only=True):
    metric: str
    model: str
    unit_price: Decimal | None = None
    package_size: Decimal | None = None
    tiers: list[TierView] = msgspec.field(default_factory=list)
    free_quantity: Decimal = Decimal(0)


class PriceBookView(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    name: str
    currency: str
    user_id: uuid.UUID | None
    effective_from: datetime
    effective_to: datetime | None
    items: list[PriceItemView]


class PriceBookPage(msgspec.Struct, frozen=True, kw_only=True):
    data: list[PriceBookView]


class BudgetView(msgspec.Struct, frozen=True, kw_only=True):
    monthly_amount_minor: int
    currency: str
    thresholds: list[int]
    webhook_url: str | None
    hard_limit: bool = False
    """At 100 %, the user's inference, tuning and evaluation calls are refused (429 insufficient_quota)."""
    webhook_secret: str | None = None
    """Shown once, when the budget is first given a webhook: sign checks use it."""


class AlertView(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    kind: str
    period_start: date
    threshold_percent: int
    amount_minor: int
    currency: str
    details: dict[str, Any]
    created_at: datetime


class AlertPage(msgspec.Struct, frozen=True, kw_only=True):
    data: list[AlertView]


class InvoiceView(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    stripe_invoice_id: str
    status: str
    currency: str
    subtotal_minor: int
    total_minor: int
    amount_due_minor: int
    amount_paid_minor: int
    period_start: datetime
    period_end: datetime
    hosted_invoice_url: str | None
    lines: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


class InvoicePage(msgspec.Struct, frozen=True, kw_only=True):
    data: list[InvoiceView]


class AdjustmentView(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    user_id: uuid.UUID
    amount_minor: int
    currency: str
    reason: str
    status: str
    stripe_object_id: str | None
    applied_at: datetime | None


class ReconciliationRunView(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    period_start: datetime
    period_end: datetime
    status: str
    users_total: int
    users_done: int
    summary: dict[str, Any]
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    adjustments: list[AdjustmentView] | None = None


class ReconciliationRunPage(msgspec.Struct, frozen=True, kw_only=True):
    data: list[ReconciliationRunView]


class WebhookAck(msgspec.Struct, frozen=True, kw_only=True):
    received: bool
    duplicate: bool

"""``GET /v1/usage/summary`` and ``GET /v1/usage/daily``: the caller's own usage and cost."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from mlp.billing.api.views import DailyUsagePage, DailyUsageView, SummaryLineView, UsageSummaryView
from mlp.billing.application.reports import UsageReports
from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal


@get(
    "/v1/usage/summary",
    opt=requires_scopes("billing:read"),
    tags=["usage"],
    summary="Usage and cost per metric for a billing period (calendar month, UTC; current by default)",
)
async def usage_summary(
    request: Request[Principal, Any, State],
    usage_reports: NamedDependency[UsageReports],
    period: Annotated[str | None, QueryParameter(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")] = None,
) -> UsageSummaryView:
    found = await usage_reports.summary(request.user.user_id, period)
    return UsageSummaryView(
        period=found.period.label,
        period_start=found.period.start,
        period_end=found.period.end,
        lines=[
            SummaryLineView(
                metric=x.metric,
                price_book_id=x.price_book_id,
                currency=x.currency,
                quantity=x.quantity,
                events=x.events,
                cost=x.cost,
                amount_minor=x.amount_minor,
            )
            for x in found.lines
        ],
        totals_minor=found.totals_minor,
    )


@get(
    "/v1/usage/daily",
    opt=requires_scopes("billing:read"),
    tags=["usage"],
    summary="Usage and cost per metric per day (this month so far by default)",
)
async def usage_daily(
    request: Request[Principal, Any, State],
    usage_reports: NamedDependency[UsageReports],
    start: FromQuery[date | None] = None,
    end: FromQuery[date | None] = None,
) -> DailyUsagePage:
    days = await usage_reports.daily(request.user.user_id, start, end)
    return DailyUsagePage(
        data=[
            DailyUsageView(day=d.day, metric=d.metric, quantity=d.quantity, events=d.events, cost=d.cost) for d in days
        ]
    )

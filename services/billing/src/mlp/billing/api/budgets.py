"""``/v1/budgets`` (the caller's monthly budget) and ``/v1/alerts`` (what it raised)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, delete, get, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from mlp.billing.api.views import AlertPage, AlertView, BudgetView
from mlp.billing.application.budgets import Budgets
from mlp.billing.domain.budgets import Budget
from mlp.common.auth.litestar import requires_scopes
from mlp.common.auth.principal import Principal

MAX_BUDGET_MINOR = 10**12


class BudgetIn(msgspec.Struct, frozen=True, kw_only=True):
    monthly_amount_minor: Annotated[int, msgspec.Meta(ge=1, le=MAX_BUDGET_MINOR)]
    currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
    thresholds: Annotated[list[Annotated[int, msgspec.Meta(ge=1, le=1000)]], msgspec.Meta(max_length=10)] | None = None
    webhook_url: Annotated[str, msgspec.Meta(max_length=2048)] | None = None
    hard_limit: bool = False
    """At 100 % of the amount, refuse the user's inference, tuning and evaluation calls."""


def budget_view(budget: Budget, show_secret: bool) -> BudgetView:
    return BudgetView(
        monthly_amount_minor=budget.monthly_amount_minor,
        currency=budget.currency,
        thresholds=list(budget.thresholds),
        webhook_url=budget.webhook_url,
        hard_limit=budget.hard_limit,
        webhook_secret=budget.webhook_secret if show_secret else None,
    )


@put("/v1/budgets", opt=requires_scopes("billing:write"), tags=["budgets"], summary="Set the monthly budget")
async def set_budget(
    data: JSONBody[BudgetIn], request: Request[Principal, Any, State], budgets: NamedDependency[Budgets]
) -> BudgetView:
    budget = await budgets.put(
        request.user.user_id,
        data.monthly_amount_minor,
        data.currency,
        data.thresholds,
        data.webhook_url,
        hard_limit=data.hard_limit,
    )
    return budget_view(budget, show_secret=True)


@get("/v1/budgets", opt=requires_scopes("billing:read"), tags=["budgets"], summary="The monthly budget")
async def get_budget(request: Request[Principal, Any, State], budgets: NamedDependency[Budgets]) -> BudgetView:
    return budget_view(await budgets.get(request.user.user_id), show_secret=False)


@delete("/v1/budgets", opt=requires_scopes("billing:write"), tags=["budgets"], summary="Remove the budget")
async def delete_budget(request: Request[Principal, Any, State], budgets: NamedDependency[Budgets]) -> None:
    await budgets.delete(request.user.user_id)


@get("/v1/alerts", opt=requires_scopes("billing:read"), tags=["budgets"], summary="Alerts raised (newest first)")
async def list_alerts(
    request: Request[Principal, Any, State],
    budgets: NamedDependency[Budgets],
    limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
) -> AlertPage:
    rows = await budgets.alerts(request.user.user_id, limit)
    return AlertPage(data=[msgspec.convert(r, AlertView, from_attributes=False) for r in rows])

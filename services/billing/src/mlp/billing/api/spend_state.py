"""``GET /internal/v1/spend-state/{user_id}``: what registry and evaluation ask before a user's call spends."""

from __future__ import annotations

import uuid

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath

from mlp.billing.application.budgets import Budgets
from mlp.common.auth.litestar import SERVICE_ONLY
from mlp.common.contracts.spend import SPEND_STATE_PATH, SpendState


@get(
    f"{SPEND_STATE_PATH}/{{user_id:uuid}}",
    opt=SERVICE_ONLY,
    tags=["budgets"],
    summary="A user's spend this period against their budget, and whether a hard limit is exhausted",
)
async def spend_state(user_id: FromPath[uuid.UUID], budgets: NamedDependency[Budgets]) -> SpendState:
    return await budgets.spend_state(user_id)

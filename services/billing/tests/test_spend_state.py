"""Hard spend limits, billing's side (issue 16, item 4): the spend state registry and evaluation ask
for comes from the same rating as the user's summary; exhausted at 100 % of a hard limit, lifted
when the limit is raised or the period rolls over. Service-only."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from billing_harness import Billing, Tokens
from test_budgets import price_rows
from test_usage_ingestion import event, post, summary

STATE = "/internal/v1/spend-state"


async def state(billing: Billing, tokens: Tokens, user: uuid.UUID) -> dict[str, Any]:
    response = await billing.client.get(f"{STATE}/{user}", headers=tokens.service("registry"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def budget(billing: Billing, tokens: Tokens, user: uuid.UUID, amount: int, hard: bool) -> None:
    put = await billing.client.put(
        "/v1/budgets",
        json={"monthly_amount_minor": amount, "currency": "USD", "hard_limit": hard},
        headers=tokens.user(user),
    )
    assert put.status_code == 200, put.text
    assert put.json()["hard_limit"] is hard


async def rows(billing: Billing, tokens: Tokens, user: uuid.UUID, quantity: int) -> None:
    at = (billing.clock.now() + timedelta(seconds=1)).isoformat()
    await post(billing, tokens.service(), [event(user, billing, metric="eval.rows", quantity=quantity, timestamp=at)])


async def test_a_hard_limit_is_exhausted_at_100_percent_of_the_summarys_cost_and_lifted_when_raised(
    billing: Billing, tokens: Tokens
) -> None:
    user = uuid.uuid4()
    await price_rows(billing, tokens, user)
    assert (await state(billing, tokens, user))["exhausted"] is False  # no budget at all
    await budget(billing, tokens, user, 1000, hard=True)
    await rows(billing, tokens, user, 999)
    assert (await state(billing, tokens, user))["exhausted"] is False
    await rows(billing, tokens, user, 1)
    now = await state(billing, tokens, user)
    spent = sum(x["amount_minor"] for x in (await summary(billing, tokens, user))["lines"])
    assert (now["exhausted"], now["spent_minor"], now["limit_minor"]) == (True, spent, 1000) == (True, 1000, 1000)

    await budget(billing, tokens, user, 2000, hard=True)
    assert (await state(billing, tokens, user))["exhausted"] is False
    await budget(billing, tokens, user, 500, hard=False)  # a soft budget only notifies
    assert (await state(billing, tokens, user))["exhausted"] is False


async def test_an_exhausted_limit_is_lifted_when_the_period_rolls_over(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()
    await price_rows(billing, tokens, user)
    await budget(billing, tokens, user, 100, hard=True)
    await rows(billing, tokens, user, 100)
    before = await state(billing, tokens, user)
    assert before["exhausted"] is True
    billing.clock.advance(days=32)
    after = await state(billing, tokens, user)
    assert (after["exhausted"], after["spent_minor"]) == (False, 0)
    assert after["period"] != before["period"]


async def test_only_a_platform_service_asks_for_a_spend_state(billing: Billing, tokens: Tokens) -> None:
    user = uuid.uuid4()
    response = await billing.client.get(f"{STATE}/{user}", headers=tokens.user(user))
    assert response.status_code == 403

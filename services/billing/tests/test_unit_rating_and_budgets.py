"""UsageReports and Budgets on the in-memory fakes with a fixed clock (no database, no sleep)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from billing_fakes import FakeDatabase, FixedClock, RecordingWebhooks

from mlp.billing.application.budgets import Budgets
from mlp.billing.application.jobs import NOTIFY_ALERT
from mlp.billing.application.reports import UsageReports
from mlp.billing.domain.price_books import PriceBook
from mlp.billing.domain.pricing import PriceItem, Tier

D = Decimal
NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)


def book(*items: PriceItem, owner: uuid.UUID | None = None) -> PriceBook:
    return PriceBook(uuid.uuid4(), "unit", "USD", owner, NOVEMBER, None, items)


async def test_a_summary_rates_the_period_of_the_clock_and_ignores_other_users_and_months() -> None:
    db, clock = FakeDatabase(), FixedClock(datetime(2026, 11, 30, 23, 59, tzinfo=UTC))
    user, other = uuid.uuid4(), uuid.uuid4()
    rows = book(PriceItem("eval.rows", "per_unit", unit_price=D("0.4")))
    for day in range(1, 31):
        db.add_usage(user, date(2026, 11, day), "eval.rows", rows, D(1))
    db.add_usage(other, date(2026, 11, 2), "eval.rows", rows, D(1000))
    db.add_usage(user, date(2026, 12, 1), "eval.rows", rows, D(1000))

    summary = await UsageReports(db.transaction, clock).summary(user, None)
    assert summary.period.label == "2026-11"
    assert [(line.quantity, line.amount_minor) for line in summary.lines] == [(D(30), 12)]
    assert summary.totals_minor == {"USD": 12}
    days = await UsageReports(db.transaction, clock).daily(user, date(2026, 11, 1), date(2026, 11, 30))
    assert len(days) == 30
    assert sum(d.cost for d in days) == D(12)


async def test_volume_tiers_count_the_whole_period_across_days() -> None:
    db, clock = FakeDatabase(), FixedClock(datetime(2026, 11, 15, tzinfo=UTC))
    user = uuid.uuid4()
    volume = book(PriceItem("eval.rows", "volume", tiers=(Tier(D(100), D(2)), Tier(None, D(1)))))
    db.add_usage(user, date(2026, 11, 1), "eval.rows", volume, D(60))
    db.add_usage(user, date(2026, 11, 2), "eval.rows", volume, D(40))  # exactly 100: first tier
    assert (await UsageReports(db.transaction, clock).summary(user, None)).totals_minor == {"USD": 200}
    db.add_usage(user, date(2026, 11, 3), "eval.rows", volume, D(1))  # 101: every unit at 1
    assert (await UsageReports(db.transaction, clock).summary(user, None)).totals_minor == {"USD": 101}


async def test_each_threshold_fires_once_per_period_and_again_in_the_next() -> None:
    db, clock, sender = FakeDatabase(), FixedClock(datetime(2026, 11, 20, tzinfo=UTC)), RecordingWebhooks()
    user = uuid.uuid4()
    budgets = Budgets(db.transaction, clock, sender)
    await budgets.put(user, 1000, "USD", None, "https://hooks.example/b")
    per_unit = book(PriceItem("eval.rows", "per_unit", unit_price=D(1)))

    db.add_usage(user, date(2026, 11, 2), "eval.rows", per_unit, D(499))
    assert await budgets.check(user) == []
    db.add_usage(user, date(2026, 11, 3), "eval.rows", per_unit, D(1))  # exactly 50 %
    assert await budgets.check(user) == [50]
    db.add_usage(user, date(2026, 11, 4), "eval.rows", per_unit, D(500))  # exactly 100 %
    assert await budgets.check(user) == [80, 100]
    assert await budgets.check(user) == []
    assert [entry for entry, _ in db.tables.jobs] == [NOTIFY_ALERT] * 3

    clock.current = datetime(2026, 12, 1, tzinfo=UTC)  # a new period starts from zero
    assert await budgets.check(user) == []
    db.add_usage(user, date(2026, 12, 1), "eval.rows", per_unit, D(1000))
    assert await budgets.check(user) == [50, 80, 100]


async def test_a_budget_in_another_currency_is_not_crossed_by_usd_usage() -> None:
    db, clock = FakeDatabase(), FixedClock(datetime(2026, 11, 20, tzinfo=UTC))
    user = uuid.uuid4()
    budgets = Budgets(db.transaction, clock, RecordingWebhooks())
    await budgets.put(user, 10, "EUR", (100,), None)
    db.add_usage(user, date(2026, 11, 2), "eval.rows", book(PriceItem("eval.rows", "per_unit", unit_price=D(1))), D(50))
    assert await budgets.check(user) == []
    assert db.tables.jobs == []

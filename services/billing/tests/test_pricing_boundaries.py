"""Every price model at every tier limit (one unit below, at, one above), and exact sums over many days.

Tiers are inclusive of their ``up_to``: the 100th unit is still in the first tier, the 101st is not.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from mlp.billing.domain.price_books import PriceBook
from mlp.billing.domain.pricing import PriceItem, Tier
from mlp.billing.domain.rating import DailyUsage, rate_period

D = Decimal
# 100 units at 2, then up to 1,000 at 1 (+50 flat once entered), beyond at 0.5 (+10 flat)
TIERS = (Tier(D(100), D(2)), Tier(D(1000), D(1), D(50)), Tier(None, D("0.5"), D(10)))
GRADUATED = PriceItem("eval.rows", "graduated", tiers=TIERS)
VOLUME = PriceItem("eval.rows", "volume", tiers=TIERS)
PACKAGE = PriceItem("eval.rows", "package", unit_price=D(300), package_size=D(1000))
FREE_FIRST = PriceItem("eval.rows", "per_unit", unit_price=D(3), free_quantity=D(100))


@pytest.mark.parametrize(
    ("quantity", "cost"),
    [
        (99, 99 * 2),
        (100, 100 * 2),
        (101, 200 + 1 + 50),
        (999, 200 + 899 + 50),
        (1000, 200 + 900 + 50),
        (1001, 200 + 900 + 50 + D("0.5") + 10),
    ],
)
def test_graduated_at_each_tier_limit(quantity: int, cost: Decimal) -> None:
    assert GRADUATED.cost(D(quantity)) == cost


@pytest.mark.parametrize(
    ("quantity", "cost"),
    [
        (99, 99 * 2),
        (100, 100 * 2),
        (101, 101 * 1 + 50),
        (999, 999 * 1 + 50),
        (1000, 1000 * 1 + 50),
        (1001, 1001 * D("0.5") + 10),
    ],
)
def test_volume_prices_all_units_at_the_tier_the_total_falls_in(quantity: int, cost: Decimal) -> None:
    assert VOLUME.cost(D(quantity)) == cost


@pytest.mark.parametrize(
    ("quantity", "cost"), [(0, 0), (1, 300), (999, 300), (1000, 300), (1001, 600), (2000, 600), (2001, 900)]
)
def test_package_per_package_started(quantity: int, cost: int) -> None:
    assert PACKAGE.cost(D(quantity)) == cost


@pytest.mark.parametrize(("quantity", "cost"), [(99, 0), (100, 0), (101, 3), (102, 6)])
def test_the_free_allowance_ends_exactly_at_its_quantity(quantity: int, cost: int) -> None:
    assert FREE_FIRST.cost(D(quantity)) == cost


def _book(*items: PriceItem) -> PriceBook:
    return PriceBook(uuid.uuid4(), "b", "USD", None, datetime(2026, 11, 1, tzinfo=UTC), None, items)


def test_a_fractional_unit_price_over_thirty_days_is_rounded_once_per_line() -> None:
    book = _book(PriceItem("eval.rows", "per_unit", unit_price=D("0.4")))
    start = date(2026, 11, 1)
    rows = [DailyUsage(start + timedelta(days=n), "eval.rows", book.id, D(1), 1) for n in range(30)]
    lines, days = rate_period(rows, {book.id: book})
    assert [(line.quantity, line.amount_minor) for line in lines] == [(D(30), 12)]
    assert {d.cost for d in days} == {D("0.4")}  # days are shown exact, never rounded to 0
    assert sum(d.cost for d in days) == lines[0].cost


def test_tiers_count_across_days_and_the_line_is_rounded_half_up_once() -> None:
    book = _book(PriceItem("eval.rows", "volume", tiers=(Tier(D(100), D("0.35")), Tier(None, D("0.25")))))
    rows = [
        DailyUsage(date(2026, 11, 1), "eval.rows", book.id, D(50), 1),
        DailyUsage(date(2026, 11, 2), "eval.rows", book.id, D(50), 1),  # exactly 100: still tier 1
        DailyUsage(date(2026, 11, 3), "eval.rows", book.id, D(1), 1),  # 101: every unit at 0.25
    ]
    lines, days = rate_period(rows, {book.id: book})
    assert lines[0].cost == D("25.25")
    assert lines[0].amount_minor == 25
    assert [d.cost for d in days] == [D("17.50"), D("17.50"), D("-9.75")]

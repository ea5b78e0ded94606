"""Price models in exact Decimal minor units, the one rounding point, and rating a period by day."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from mlp.billing.domain.price_books import PriceBook
from mlp.billing.domain.pricing import PriceItem, Tier, check_item, round_minor
from mlp.billing.domain.rating import DailyUsage, rate_period

D = Decimal
TIERS = (Tier(D(100), D(2)), Tier(D(1000), D(1), D(50)), Tier(None, D("0.5")))


@pytest.mark.parametrize(
    ("item", "quantity", "cost"),
    [
        (PriceItem("eval.rows", "per_unit", unit_price=D("0.25")), D(10), D("2.5")),
        (PriceItem("eval.rows", "per_unit", unit_price=D(1), free_quantity=D(5)), D(3), D(0)),
        (PriceItem("eval.rows", "per_unit", unit_price=D(1), free_quantity=D(5)), D(8), D(3)),
        # graduated: 100 at 2, 900 at 1 (+50 flat), 500 at 0.5
        (PriceItem("eval.rows", "graduated", tiers=TIERS), D(1500), D(200 + 900 + 50 + 250)),
        (PriceItem("eval.rows", "graduated", tiers=TIERS), D(100), D(200)),
        # volume: all 1500 at the last tier's price
        (PriceItem("eval.rows", "volume", tiers=TIERS), D(1500), D(750)),
        (PriceItem("eval.rows", "volume", tiers=TIERS), D(500), D(550)),
        # package: per 1000 started, 300 each
        (PriceItem("eval.rows", "package", unit_price=D(300), package_size=D(1000)), D(1001), D(600)),
        (PriceItem("eval.rows", "package", unit_price=D(300), package_size=D(1000)), D(0), D(0)),
    ],
)
def test_price_models(item: PriceItem, quantity: Decimal, cost: Decimal) -> None:
    assert check_item(item) is None
    assert item.cost(quantity) == cost


def test_rounding_is_half_up_once_per_line() -> None:
    assert (round_minor(D("2.5")), round_minor(D("2.4999")), round_minor(D("0.5"))) == (3, 2, 1)


@pytest.mark.parametrize(
    "item",
    [
        PriceItem("eval.rows", "per_unit"),
        PriceItem("eval.rows", "package", unit_price=D(1)),
        PriceItem("eval.rows", "graduated", tiers=(Tier(D(10), D(1)),)),
        PriceItem("eval.rows", "graduated", tiers=(Tier(D(10), D(1)), Tier(D(5), D(1)), Tier(None, D(1)))),
        PriceItem("eval.rows", "per_unit", unit_price=D("1e12")),
        PriceItem("eval.rows", "flat"),
        PriceItem("eval.rows", "per_unit", unit_price=D("NaN")),
        PriceItem("eval.rows", "graduated", tiers=(Tier(D("Infinity"), D(1)), Tier(None, D(1)))),
    ],
)
def test_unusable_prices_are_named(item: PriceItem) -> None:
    assert check_item(item) is not None


def test_days_add_up_to_the_period_and_tiers_count_from_its_start() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    book = PriceBook(uuid.uuid4(), "b", "USD", None, start, None, (PriceItem("eval.rows", "graduated", tiers=TIERS),))
    rows = [
        DailyUsage(date(2026, 11, 1), "eval.rows", book.id, D(60), 1),
        DailyUsage(date(2026, 11, 2), "eval.rows", book.id, D(60), 1),
    ]
    lines, days = rate_period(rows, {book.id: book})
    # day 1: 60 at 2 = 120; day 2: 40 at 2 + 20 at 1 + 50 flat = 150
    assert [d.cost for d in days] == [D(120), D(150)]
    assert lines[0].cost == D(270)
    assert lines[0].amount_minor == 270

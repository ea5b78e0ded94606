"""Each price model as Stripe price terms that bill what rating computes, and the items Stripe cannot bill."""

from __future__ import annotations

from decimal import Decimal

import pytest
from stripe_standin_objects import line_amount

from mlp.billing.domain.plan import NotExpressible, price_terms
from mlp.billing.domain.pricing import PriceItem, Tier, round_minor

D = Decimal
TIERS = (Tier(D(100), D(2)), Tier(D(1000), D("0.5"), D(50)), Tier(None, D("0.25")))


def test_per_unit_is_a_decimal_unit_amount() -> None:
    assert price_terms(PriceItem("eval.rows", "per_unit", unit_price=D("0.40"))) == {
        "billing_scheme": "per_unit",
        "unit_amount_decimal": "0.4",
    }


@pytest.mark.parametrize("model", ["graduated", "volume"])
def test_tiers_keep_their_mode_bounds_prices_and_flat_fees(model: str) -> None:
    assert price_terms(PriceItem("eval.rows", model, tiers=TIERS)) == {
        "billing_scheme": "tiered",
        "tiers_mode": model,
        "tiers": [
            {"up_to": 100, "unit_amount_decimal": "2"},
            {"up_to": 1000, "unit_amount_decimal": "0.5", "flat_amount_decimal": "50"},
            {"up_to": "inf", "unit_amount_decimal": "0.25"},
        ],
    }


def test_a_package_is_a_unit_amount_per_package_started() -> None:
    item = PriceItem("eval.rows", "package", unit_price=D(300), package_size=D(1000))
    assert price_terms(item) == {
        "billing_scheme": "per_unit",
        "unit_amount_decimal": "300",
        "transform_quantity": {"divide_by": 1000, "round": "up"},
    }


def test_a_free_allowance_becomes_a_first_tier_at_zero() -> None:
    per_unit = PriceItem("eval.rows", "per_unit", unit_price=D(3), free_quantity=D(10))
    assert price_terms(per_unit)["tiers"] == [
        {"up_to": 10, "unit_amount_decimal": "0"},
        {"up_to": "inf", "unit_amount_decimal": "3"},
    ]
    graduated = PriceItem("eval.rows", "graduated", tiers=TIERS, free_quantity=D(10))
    assert [t["up_to"] for t in price_terms(graduated)["tiers"]] == [10, 110, 1010, "inf"]


@pytest.mark.parametrize(
    "item",
    [
        PriceItem("eval.rows", "volume", tiers=TIERS, free_quantity=D(1)),
        PriceItem("eval.rows", "package", unit_price=D(1), package_size=D(10), free_quantity=D(1)),
        PriceItem("eval.rows", "package", unit_price=D(1), package_size=D("2.5")),
        PriceItem("eval.rows", "graduated", tiers=(Tier(D("0.5"), D(1)), Tier(None, D(1)))),
    ],
)
def test_what_stripe_cannot_bill_exactly_is_refused(item: PriceItem) -> None:
    with pytest.raises(NotExpressible):
        price_terms(item)


@pytest.mark.parametrize(
    "item",
    [
        PriceItem("eval.rows", "per_unit", unit_price=D("0.4")),
        PriceItem("eval.rows", "per_unit", unit_price=D(3), free_quantity=D(100)),
        PriceItem("eval.rows", "graduated", tiers=TIERS),
        PriceItem("eval.rows", "graduated", tiers=TIERS, free_quantity=D(10)),
        PriceItem("eval.rows", "volume", tiers=TIERS),
        PriceItem("eval.rows", "package", unit_price=D(300), package_size=D(1000)),
    ],
)
def test_stripe_bills_what_rating_rates_at_every_tier_limit(item: PriceItem) -> None:
    """Stripe's arithmetic (as the stand-in does it) on the plan's terms, against the line's rounded cost."""
    price = {"billing_scheme": "per_unit", **price_terms(item)}
    for quantity in (0, 1, 9, 10, 11, 99, 100, 101, 110, 111, 999, 1000, 1001, 1010, 1011, 2500):
        assert line_amount(price, D(quantity)) == round_minor(item.cost(D(quantity))), quantity

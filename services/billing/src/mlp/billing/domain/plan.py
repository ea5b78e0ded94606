"""The platform's plan in Stripe: one metered price per price item, billing exactly what rating computes.

Each metric has a Stripe meter (event name = metric with ``_`` for ``.``, summing the values of its
meter events); each item of a price book becomes a monthly metered price on that meter, in the
book's currency, with the item's model: ``per_unit`` a unit amount, ``graduated``/``volume`` tiers
in that mode, ``package`` a unit amount per ``package_size`` started (``transform_quantity``
rounded up). Stripe has no free allowance: one on a ``per_unit`` or ``graduated`` item becomes a
first tier at 0. Amounts are decimal minor units, as in the book (Stripe keeps 12 decimals).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mlp.billing.domain.pricing import PriceItem, Tier

ZERO = Decimal(0)


class NotExpressible(ValueError):
    """A price item Stripe's prices cannot bill exactly (a free allowance on volume or package pricing,
    a fractional tier bound or package size)."""


def _amount(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _whole(value: Decimal, what: str) -> int:
    """Tier bounds and package sizes are integers in Stripe."""
    if value != value.to_integral_value():
        raise NotExpressible(f"Stripe needs a whole number of units for {what}, not {value}")
    return int(value)


def _tiers(tiers: tuple[Tier, ...]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for tier in tiers:
        bound: int | str = "inf" if tier.up_to is None else _whole(tier.up_to, "a tier bound")
        terms = {"up_to": bound, "unit_amount_decimal": _amount(tier.unit_price)}
        out.append(terms | ({"flat_amount_decimal": _amount(tier.flat_fee)} if tier.flat_fee else {}))
    return out


def _shifted(item: PriceItem) -> tuple[Tier, ...]:
    """Graduated tiers with the free allowance as a first tier at 0 (later bounds move up by it)."""
    if item.model == "per_unit":
        tiers: tuple[Tier, ...] = (Tier(None, item.unit_price or ZERO),)
    else:
        tiers = item.tiers
    free = item.free_quantity
    moved = tuple(Tier(None if t.up_to is None else t.up_to + free, t.unit_price, t.flat_fee) for t in tiers)
    return (Tier(free, ZERO), *moved)


def price_terms(item: PriceItem) -> dict[str, Any]:
    """The billing terms of ``item`` as Stripe's price parameters."""
    if item.free_quantity and item.model in ("volume", "package"):
        raise NotExpressible(f"{item.metric}: Stripe cannot bill a free allowance on {item.model} pricing")
    if item.free_quantity:
        return {"billing_scheme": "tiered", "tiers_mode": "graduated", "tiers": _tiers(_shifted(item))}
    if item.model == "per_unit":
        return {"billing_scheme": "per_unit", "unit_amount_decimal": _amount(item.unit_price or ZERO)}
    if item.model == "package":
        return {
            "billing_scheme": "per_unit",
            "unit_amount_decimal": _amount(item.unit_price or ZERO),
            "transform_quantity": {
                "divide_by": _whole(item.package_size or Decimal(1), "a package size"),
                "round": "up",
            },
        }
    return {"billing_scheme": "tiered", "tiers_mode": item.model, "tiers": _tiers(item.tiers)}

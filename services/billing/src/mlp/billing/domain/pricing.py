"""How a price item turns a period's quantity into money (exact Decimal minor units).

A cost is a function of the quantity used in a billing period under one book, so tiers count
from the start of the period (or of the book, when a new book takes over mid-period). The free
allowance is taken off first. Nothing here rounds: :func:`round_minor` is applied once, to each
(period, metric, book) line, and every other figure (per day, per event) is a share of exact
values, shown unrounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
PRICING_MODELS = ("per_unit", "graduated", "volume", "package")


@dataclass(frozen=True, slots=True)
class Tier:
    """Units up to ``up_to`` (cumulative, None: no limit) at ``unit_price``, plus ``flat_fee`` once."""

    up_to: Decimal | None
    unit_price: Decimal
    flat_fee: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class PriceItem:
    metric: str
    model: str
    unit_price: Decimal | None = None
    package_size: Decimal | None = None
    tiers: tuple[Tier, ...] = field(default_factory=tuple)
    free_quantity: Decimal = ZERO

    def cost(self, quantity: Decimal) -> Decimal:
        """Exact cost in minor units of ``quantity`` used in one period."""
        billable = max(ZERO, quantity - self.free_quantity)
        if billable == ZERO:
            return ZERO
        if self.model == "per_unit":
            return billable * (self.unit_price or ZERO)
        if self.model == "package":
            size = self.package_size or Decimal(1)
            packages = (billable / size).to_integral_value(rounding=ROUND_CEILING)
            return packages * (self.unit_price or ZERO)
        if self.model == "volume":
            tier = next((t for t in self.tiers if t.up_to is None or billable <= t.up_to), self.tiers[-1])
            return billable * tier.unit_price + tier.flat_fee
        return self._graduated(billable)

    def _graduated(self, billable: Decimal) -> Decimal:
        total, floor = ZERO, ZERO
        for tier in self.tiers:
            ceiling = billable if tier.up_to is None else min(billable, tier.up_to)
            if ceiling <= floor:
                break
            total += (ceiling - floor) * tier.unit_price + tier.flat_fee
            floor = ceiling
        return total


def round_minor(amount: Decimal) -> int:
    """The one rounding point: a period line's exact cost to whole minor units, half up."""
    return int(amount.to_integral_value(rounding=ROUND_HALF_UP))


MAX_PRICE = Decimal("1e9")
"""Bound of a unit price or fee (``NUMERIC(20, 10)`` holds 10 integer digits)."""
MAX_QUANTITY = Decimal("1e24")


def _out_of_bounds(item: PriceItem) -> bool:
    prices = [item.unit_price or ZERO, *(t.unit_price for t in item.tiers), *(t.flat_fee for t in item.tiers)]
    quantities = [item.package_size or ZERO, item.free_quantity, *(t.up_to or ZERO for t in item.tiers)]
    if not all(value.is_finite() for value in (*prices, *quantities)):  # NaN would not even compare
        return True
    return any(p >= MAX_PRICE for p in prices) or any(q >= MAX_QUANTITY or q < 0 for q in quantities)


def check_item(item: PriceItem) -> str | None:
    """Why ``item`` is not a usable price, or None."""
    if _out_of_bounds(item):
        return f"prices are below {MAX_PRICE}, quantities between 0 and {MAX_QUANTITY}"
    if item.model not in PRICING_MODELS:
        return f"model must be one of {', '.join(PRICING_MODELS)}"
    if item.model in ("per_unit", "package") and (item.unit_price is None or item.unit_price < 0):
        return "unit_price (>= 0) is required"
    if item.model == "package" and (item.package_size is None or item.package_size <= 0):
        return "package_size (> 0) is required"
    if item.model in ("graduated", "volume"):
        if not item.tiers:
            return "tiers are required"
        bounds = [t.up_to for t in item.tiers]
        if bounds[-1] is not None or any(b is None for b in bounds[:-1]):
            return "only the last tier is open-ended (up_to null)"
        finite = [b for b in bounds if b is not None]
        if finite != sorted(set(finite)) or any(b <= 0 for b in finite):
            return "tier bounds must increase"
        if any(t.unit_price < 0 or t.flat_fee < 0 for t in item.tiers):
            return "tier prices are >= 0"
    return None

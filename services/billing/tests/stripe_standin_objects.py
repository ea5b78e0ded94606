"""The Stripe objects the stand-in keeps, checked as Stripe checks them (a refusal is a 400 naming the param).

Meters (one active meter per event name), metered prices (a meter required; per-unit, tiered or
transformed quantities), subscription-mode Checkout Sessions (existing prices, no quantity for a
metered one), customer-portal sessions, and what the user and the clock do on Stripe's side:
completing a Checkout (the subscription starts) and closing a period (the invoice from the meter
events, each line rounded half up, as the price's terms bill them).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any


class Refused(Exception):
    def __init__(self, message: str, param: str | None = None, kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.param = param
        self.kind = kind


def require(condition: object, message: str, param: str | None = None, kind: str = "invalid_request_error") -> None:
    if not condition:
        raise Refused(message, param, kind)


def unflatten(form: dict[str, str]) -> dict[str, Any]:
    """``tiers[0][up_to]=5`` -> ``{"tiers": [{"up_to": "5"}]}`` (Stripe's form encoding of nested params)."""
    root: dict[str, Any] = {}
    for key, value in form.items():
        parts = key.replace("]", "").split("[")
        node: Any = root
        for part, following in itertools.pairwise(parts):
            default: Any = [] if following.isdigit() else {}
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(default)
                node = node[index]
            else:
                node = node.setdefault(part, default)
        last = parts[-1]
        if isinstance(node, list):
            node.append(value)
        else:
            node[last] = value
    return root


def line_amount(price: dict[str, Any], usage: Decimal) -> int:
    """What Stripe bills for ``usage`` under ``price``, rounded once to whole minor units."""
    if price["billing_scheme"] == "per_unit":
        transform = price.get("transform_quantity")
        if transform:
            usage = (usage / Decimal(transform["divide_by"])).to_integral_value(rounding=ROUND_CEILING)
        exact = usage * Decimal(price["unit_amount_decimal"])
    else:
        tiers = price["tiers"]
        bounds = [None if t["up_to"] == "inf" else Decimal(t["up_to"]) for t in tiers]
        if price["tiers_mode"] == "volume":
            tier = next(t for t, b in zip(tiers, bounds, strict=True) if b is None or usage <= b)
            exact = usage * Decimal(tier["unit_amount_decimal"]) + Decimal(tier.get("flat_amount_decimal", 0))
        else:
            exact, floor = Decimal(0), Decimal(0)
            for tier, bound in zip(tiers, bounds, strict=True):
                ceiling = usage if bound is None else min(usage, bound)
                if ceiling <= floor:
                    break
                exact += (ceiling - floor) * Decimal(tier["unit_amount_decimal"])
                exact += Decimal(tier.get("flat_amount_decimal", 0))
                floor = ceiling
    return int(exact.to_integral_value(rounding=ROUND_HALF_UP))


@dataclass
class Catalogue:
    meters: dict[str, dict[str, Any]] = field(default_factory=dict)
    prices: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)

    def meter(self, number: int, params: dict[str, Any]) -> dict[str, Any]:
        for name in ("display_name", "event_name"):
            require(params.get(name), f"Missing required param: {name}.", name)
        require(
            (params.get("default_aggregation") or {}).get("formula"), "Missing required param.", "default_aggregation"
        )
        taken = any(m["event_name"] == params["event_name"] for m in self.meters.values())
        require(not taken, f"An active meter with event_name {params['event_name']} already exists.", "event_name")
        meter = {"id": f"mtr_{number}", "object": "billing.meter", "status": "active", **params}
        self.meters[meter["id"]] = meter
        return meter

    def price(self, number: int, params: dict[str, Any]) -> dict[str, Any]:
        require(params.get("currency"), "Missing required param: currency.", "currency")
        require(params.get("product") or params.get("product_data"), "Missing required param: product.", "product")
        recurring = params.get("recurring") or {}
        if recurring.get("usage_type") == "metered":
            require(recurring.get("meter"), "Metered prices must be backed by a meter.", "recurring[meter]")
            require(recurring["meter"] in self.meters, f"No such meter: '{recurring['meter']}'", "recurring[meter]")
        scheme = params.get("billing_scheme", "per_unit")
        if scheme == "tiered":
            tiers = params.get("tiers") or []
            require(params.get("tiers_mode") in ("graduated", "volume"), "Invalid tiers_mode.", "tiers_mode")
            require(tiers and tiers[-1].get("up_to") == "inf", "The last tier must have up_to=inf.", "tiers")
            require("transform_quantity" not in params, "transform_quantity needs per_unit pricing.", "billing_scheme")
        else:
            require("tiers" not in params, "tiers need billing_scheme=tiered.", "tiers")
            amount = params.get("unit_amount_decimal", params.get("unit_amount"))
            require(amount is not None, "Missing required param: unit_amount.", "unit_amount")
            require(-Decimal(amount).as_tuple().exponent <= 12, "At most 12 decimal places.", "unit_amount_decimal")
        price = {"id": f"price_{number}", "object": "price", "billing_scheme": scheme, **params}
        self.prices[price["id"]] = price
        return price

    def checkout(self, number: int, params: dict[str, Any], customers: dict[str, Any]) -> dict[str, Any]:
        require(params.get("mode") in ("payment", "setup", "subscription"), "Missing required param: mode.", "mode")
        require(params.get("success_url"), "Missing required param: success_url.", "success_url")
        require(params.get("customer") in customers, f"No such customer: '{params.get('customer')}'", "customer")
        items = params.get("line_items") or []
        require(items or params["mode"] == "setup", "line_items are required in subscription mode.", "line_items")
        for index, item in enumerate(items):
            price = self.prices.get(item.get("price", ""))
            require(price, f"No such price: '{item.get('price')}'", f"line_items[{index}][price]")
            metered = (price or {}).get("recurring", {}).get("usage_type") == "metered"
            require(
                not (metered and "quantity" in item),
                "Quantity should not be specified where usage_type is `metered`.",
                f"line_items[{index}][quantity]",
            )
        session = {
            "id": f"cs_test_{number}",
            "object": "checkout.session",
            "url": f"https://checkout.stripe.com/c/pay/cs_test_{number}",
            "status": "open",
            **params,
        }
        self.sessions[session["id"]] = session
        return session

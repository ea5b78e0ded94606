"""Rating a period from its daily aggregates: cost per (metric, book) line and per day.

A line's exact cost is its price item's cost of the line's period quantity; it is rounded once
(:func:`round_minor`) and the period total is the sum of rounded lines. A day's cost is what
that day added to its line (cost of the quantity up to and including the day minus up to the
day before), so the days of a line add up to the line's exact cost.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mlp.billing.domain.price_books import NO_BOOK, PriceBook
from mlp.billing.domain.pricing import ZERO, round_minor


@dataclass(frozen=True, slots=True)
class DailyUsage:
    day: date
    metric: str
    price_book_id: uuid.UUID
    quantity: Decimal
    events: int


@dataclass(frozen=True, slots=True)
class RatedLine:
    metric: str
    price_book_id: uuid.UUID | None
    currency: str | None
    quantity: Decimal
    events: int
    cost: Decimal
    amount_minor: int


@dataclass(frozen=True, slots=True)
class RatedDay:
    day: date
    metric: str
    quantity: Decimal
    events: int
    cost: Decimal


def _cost(book: PriceBook | None, metric: str, quantity: Decimal) -> Decimal:
    item = book.item(metric) if book is not None else None
    return item.cost(quantity) if item is not None else ZERO


def rate_period(
    rows: Iterable[DailyUsage], books: Mapping[uuid.UUID, PriceBook]
) -> tuple[list[RatedLine], list[RatedDay]]:
    by_line: dict[tuple[str, uuid.UUID], list[DailyUsage]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r.day):
        by_line[(row.metric, row.price_book_id)].append(row)
    lines: list[RatedLine] = []
    days: dict[tuple[date, str], list[Decimal | int]] = {}
    for (metric, book_id), line_rows in sorted(by_line.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        book = books.get(book_id)
        running, previous_cost, events = ZERO, ZERO, 0
        for row in line_rows:
            running += row.quantity
            events += row.events
            cost = _cost(book, metric, running)
            day = days.setdefault((row.day, metric), [ZERO, 0, ZERO])
            day[0] = Decimal(day[0]) + row.quantity
            day[1] = int(day[1]) + row.events
            day[2] = Decimal(day[2]) + (cost - previous_cost)
            previous_cost = cost
        lines.append(
            RatedLine(
                metric=metric,
                price_book_id=None if book_id == NO_BOOK else book_id,
                currency=book.currency if book is not None else None,
                quantity=running,
                events=events,
                cost=previous_cost,
                amount_minor=round_minor(previous_cost),
            )
        )
    rated_days = [
        RatedDay(day=d, metric=m, quantity=Decimal(v[0]), events=int(v[1]), cost=Decimal(v[2]))
        for (d, m), v in sorted(days.items())
    ]
    return lines, rated_days


def period_total_minor(lines: Iterable[RatedLine]) -> int:
    return sum(line.amount_minor for line in lines)

"""In-memory fakes of billing's ports, the one place they live: clock, Stripe, identity's emails, alert
webhooks, and the repositories of one transaction (``FakeDatabase``: a transaction works on a copy,
published when it ends without error) for unit tests of the use cases with a fake clock.

Named apart from identity's ``fakes`` module, which shares the test path.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from mlp.billing.domain.budgets import Budget
from mlp.billing.domain.price_books import PriceBook
from mlp.billing.domain.rating import DailyUsage
from mlp.billing.domain.stripe_objects import CheckoutLink, MeterEvent
from mlp.common.contracts.audit import OperationEventIn


class FixedClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime.now(UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeStripe:
    """Stripe as the port sees it: customers, meter events deduplicated on identifier, invoice lines."""

    def __init__(self) -> None:
        self.customers: dict[str, uuid.UUID] = {}
        self.customer_keys: dict[str, str] = {}
        self.meter_events: dict[str, tuple[MeterEvent, str]] = {}
        self.meter_calls = 0
        self.fail_next = 0
        self.down_for: set[str] = set()
        """Names of the calls that fail (an outage of one API) until emptied."""
        self.invoiced: dict[str, int] = {}
        self.invoice_items: dict[str, tuple[str, int]] = {}
        self.credit_notes: dict[str, tuple[str, int]] = {}
        self.emails: dict[str, str | None] = {}
        self.prices: dict[str, tuple[str, str, dict[str, Any]]] = {}
        self.price_calls = 0
        self.checkouts: list[tuple[str, list[str]]] = []

    def _maybe_fail(self, call: str) -> None:
        if call in self.down_for:
            raise ConnectionError("stripe is down")
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("stripe is down")

    async def create_customer(self, user_id: uuid.UUID, email: str | None, idempotency_key: str) -> str:
        self._maybe_fail("create_customer")
        if idempotency_key not in self.customer_keys:
            customer_id = f"cus_{uuid.uuid4().hex[:14]}"
            self.customers[customer_id] = user_id
            self.customer_keys[idempotency_key] = customer_id
            self.emails[customer_id] = email
        return self.customer_keys[idempotency_key]

    async def send_meter_event(self, event: MeterEvent, stripe_customer_id: str) -> None:
        self.meter_calls += 1
        self._maybe_fail("send_meter_event")
        self.meter_events.setdefault(event.identifier, (event, stripe_customer_id))

    async def invoice_lines_total(self, stripe_customer_id: str, period_start: datetime, period_end: datetime) -> int:
        self._maybe_fail("invoice_lines_total")
        return self.invoiced.get(stripe_customer_id, 0)

    async def create_invoice_item(
        self, stripe_customer_id: str, amount_minor: int, currency: str, description: str, idempotency_key: str
    ) -> str:
        self._maybe_fail("create_invoice_item")
        self.invoice_items.setdefault(idempotency_key, (stripe_customer_id, amount_minor))
        return f"ii_{idempotency_key}"

    async def create_credit_note(self, invoice_id: str, amount_minor: int, reason: str, idempotency_key: str) -> str:
        self._maybe_fail("create_credit_note")
        self.credit_notes.setdefault(idempotency_key, (invoice_id, amount_minor))
        return f"cn_{idempotency_key}"

    async def create_meter(self, metric: str, idempotency_key: str) -> str:
        self._maybe_fail("create_meter")
        return f"mtr_{metric}"

    async def create_price(
        self, metric: str, currency: str, meter_id: str, terms: dict[str, Any], idempotency_key: str
    ) -> str:
        self.price_calls += 1
        self._maybe_fail("create_price")
        self.prices.setdefault(idempotency_key, (f"price_{len(self.prices)}", meter_id, terms))
        return self.prices[idempotency_key][0]

    async def create_checkout_session(
        self, stripe_customer_id: str, price_ids: Sequence[str], success_url: str, cancel_url: str
    ) -> CheckoutLink:
        self._maybe_fail("create_checkout_session")
        self.checkouts.append((stripe_customer_id, list(price_ids)))
        return CheckoutLink(f"cs_{len(self.checkouts)}", f"https://checkout.stripe.test/{len(self.checkouts)}")

    async def create_portal_session(self, stripe_customer_id: str, return_url: str) -> str:
        self._maybe_fail("create_portal_session")
        return f"https://billing.stripe.test/p/{stripe_customer_id}"


class FakeEmails:
    """Identity's answer: the email of each user it knows."""

    def __init__(self) -> None:
        self.emails: dict[uuid.UUID, str] = {}

    async def email_of(self, user_id: uuid.UUID) -> str | None:
        return self.emails.get(user_id)


class RecordingWebhooks:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, bytes, str]] = []

    async def refusal(self, url: str) -> str | None:
        return None

    async def send(self, url: str, secret: str, body: bytes, idempotency_key: str) -> None:
        self.sent.append((url, secret, body, idempotency_key))


@dataclass
class Tables:
    """The committed state of the in-memory database."""

    daily: list[tuple[uuid.UUID, DailyUsage]] = field(default_factory=list)
    books: dict[uuid.UUID, PriceBook] = field(default_factory=dict)
    budgets: dict[uuid.UUID, Budget] = field(default_factory=dict)
    alerts: dict[tuple[uuid.UUID, str, date, int], dict[str, Any]] = field(default_factory=dict)
    jobs: list[tuple[str, bytes]] = field(default_factory=list)
    audit: list[OperationEventIn] = field(default_factory=list)


class FakeUsageStore:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def daily(self, user_id: uuid.UUID, start: date, end: date) -> list[DailyUsage]:
        return [row for owner, row in self._t.daily if owner == user_id and start <= row.day < end]


class FakeBooks:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def many(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, PriceBook]:
        return {i: self._t.books[i] for i in ids if i in self._t.books}


class FakeBudgets:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def get(self, user_id: uuid.UUID) -> Budget | None:
        return self._t.budgets.get(user_id)

    async def put(self, budget: Budget) -> None:
        self._t.budgets[budget.user_id] = budget

    async def delete(self, user_id: uuid.UUID) -> bool:
        return self._t.budgets.pop(user_id, None) is not None


class FakeAlerts:
    """One alert per (user, kind, period, threshold), as the table's unique key makes it."""

    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def record(
        self,
        user_id: uuid.UUID,
        kind: str,
        period_start: date,
        threshold: int,
        amount_minor: int,
        currency: str,
        details: dict[str, Any],
    ) -> uuid.UUID | None:
        key = (user_id, kind, period_start, threshold)
        if key in self._t.alerts:
            return None
        alert_id = uuid.uuid4()
        self._t.alerts[key] = {"id": alert_id, "amount_minor": amount_minor, "currency": currency, **details}
        return alert_id

    async def of_user(self, user_id: uuid.UUID, limit: int) -> list[dict[str, Any]]:
        return [a for (owner, *_), a in self._t.alerts.items() if owner == user_id][:limit]


class FakeOutbox:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def enqueue(
        self, entrypoint: str, payloads: Sequence[bytes], dedupe_keys: Sequence[str | None] | None = None
    ) -> None:
        self._t.jobs.extend((entrypoint, p) for p in payloads)

    async def audit(self, events: Sequence[OperationEventIn]) -> None:
        self._t.audit.extend(events)


class FakeTransaction:
    def __init__(self, tables: Tables) -> None:
        self.usage = FakeUsageStore(tables)
        self.books = FakeBooks(tables)
        self.budgets = FakeBudgets(tables)
        self.alerts = FakeAlerts(tables)
        self.outbox = FakeOutbox(tables)


class FakeDatabase:
    """Billing's repositories in memory: a transaction works on a copy, published when it ends without error."""

    def __init__(self) -> None:
        self.tables = Tables()

    def add_usage(self, user_id: uuid.UUID, day: date, metric: str, book: PriceBook, quantity: Decimal) -> None:
        self.tables.books[book.id] = book
        self.tables.daily.append((user_id, DailyUsage(day, metric, book.id, quantity, 1)))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeTransaction]:
        work = copy.deepcopy(self.tables)
        yield FakeTransaction(work)
        self.tables = work

"""In-memory fakes of billing's ports, the one place they live: clock, Stripe, alert webhooks.

Named apart from identity's ``fakes`` module, which shares the test path.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from mlp.billing.domain.stripe_objects import MeterEvent


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
        self.invoiced: dict[str, int] = {}
        self.invoice_items: dict[str, tuple[str, int]] = {}
        self.credit_notes: dict[str, tuple[str, int]] = {}

    def _maybe_fail(self) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("stripe is down")

    async def create_customer(self, user_id: uuid.UUID, email: str | None, idempotency_key: str) -> str:
        self._maybe_fail()
        if idempotency_key not in self.customer_keys:
            customer_id = f"cus_{uuid.uuid4().hex[:14]}"
            self.customers[customer_id] = user_id
            self.customer_keys[idempotency_key] = customer_id
        return self.customer_keys[idempotency_key]

    async def send_meter_event(self, event: MeterEvent, stripe_customer_id: str) -> None:
        self.meter_calls += 1
        self._maybe_fail()
        self.meter_events.setdefault(event.identifier, (event, stripe_customer_id))

    async def invoice_lines_total(self, stripe_customer_id: str, period_start: datetime, period_end: datetime) -> int:
        self._maybe_fail()
        return self.invoiced.get(stripe_customer_id, 0)

    async def create_invoice_item(
        self, stripe_customer_id: str, amount_minor: int, currency: str, description: str, idempotency_key: str
    ) -> str:
        self._maybe_fail()
        self.invoice_items.setdefault(idempotency_key, (stripe_customer_id, amount_minor))
        return f"ii_{idempotency_key}"

    async def create_credit_note(self, invoice_id: str, amount_minor: int, reason: str, idempotency_key: str) -> str:
        self._maybe_fail()
        self.credit_notes.setdefault(idempotency_key, (invoice_id, amount_minor))
        return f"cn_{idempotency_key}"


class RecordingWebhooks:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, bytes, str]] = []

    async def send(self, url: str, secret: str, body: bytes, idempotency_key: str) -> None:
        self.sent.append((url, secret, body, idempotency_key))

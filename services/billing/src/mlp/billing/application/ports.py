"""The ports billing's use cases need: one transaction with its repositories, the outbox, Stripe, a clock.

The SQL adapters (``adapters/db``) implement the repositories on PostgreSQL; the usage store and
its aggregates sit behind :class:`UsageStore` so a columnar adapter (ClickHouse fed by Kafka) can
take over the one stream that outgrows PostgreSQL first. Stripe is reached only through
:class:`StripeGateway`; the in-memory fakes of its ports live in ``tests/billing_fakes.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any, Protocol

from mlp.billing.domain.budgets import Budget
from mlp.billing.domain.parked import ParkedEvent
from mlp.billing.domain.price_books import PriceBook
from mlp.billing.domain.rating import DailyUsage
from mlp.billing.domain.stripe_objects import CheckoutLink, InvoiceSnapshot, MeterEvent, StripeEvent
from mlp.billing.domain.subscriptions import SubscriptionSnapshot
from mlp.billing.domain.usage import UsageEvent
from mlp.common.contracts.audit import OperationEventIn


class Clock(Protocol):
    def now(self) -> datetime: ...


class Outbox(Protocol):
    """Jobs and audit events written in the caller's transaction (``mlp.common.runtime.outbox.Outbox``)."""

    async def enqueue(
        self, entrypoint: str, payloads: Sequence[bytes], dedupe_keys: Sequence[str | None] | None = None
    ) -> None: ...

    async def audit(self, events: Sequence[OperationEventIn]) -> None: ...


class StoredEvent(Protocol):
    user_id: uuid.UUID
    event_id: str
    payload_hash: bytes


class UsageStore(Protocol):
    async def insert(
        self, events: Sequence[UsageEvent]
    ) -> tuple[list[tuple[uuid.UUID, str]], dict[tuple[uuid.UUID, str], bytes]]:
        """Store new events and add them to the daily aggregates, in one statement.

        Returns the keys inserted now, and the stored payload hash of every key that existed.
        """
        ...

    async def daily(self, user_id: uuid.UUID, start: date, end: date) -> list[DailyUsage]: ...

    async def event(self, user_id: uuid.UUID, event_id: str, source: str | None) -> dict[str, Any] | None: ...

    async def unpushed(self, keys: Sequence[tuple[uuid.UUID, str]]) -> list[MeterEvent]: ...

    async def mark_pushed(self, keys: Sequence[tuple[uuid.UUID, str, str]]) -> None:
        """Keys are (user, source, event id)."""

    async def users_with_usage(self, start: date, end: date) -> list[uuid.UUID]: ...

    async def purge_user(self, user_id: uuid.UUID) -> int: ...


class PriceBookRepository(Protocol):
    async def lock_owner(self, user_id: uuid.UUID | None) -> None:
        """Serialise changes to one owner's books (the default's, or one user's) until commit."""
        ...

    async def of_owner(self, user_id: uuid.UUID | None) -> list[PriceBook]: ...

    async def add(self, book: PriceBook) -> None: ...

    async def end(self, book_id: uuid.UUID, effective_to: datetime) -> None: ...

    async def get(self, book_id: uuid.UUID) -> PriceBook | None: ...

    async def many(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, PriceBook]: ...

    async def visible_to(self, user_id: uuid.UUID) -> list[PriceBook]: ...


class BudgetRepository(Protocol):
    async def get(self, user_id: uuid.UUID) -> Budget | None: ...

    async def put(self, budget: Budget) -> None: ...

    async def delete(self, user_id: uuid.UUID) -> bool: ...

    async def owners_among(self, user_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]: ...


class AlertRepository(Protocol):
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
        """The new alert's id, or None when this (kind, period, threshold) already fired."""
        ...

    async def of_user(self, user_id: uuid.UUID, limit: int) -> list[dict[str, Any]]: ...


class StripeCustomerRepository(Protocol):
    async def customer_of(self, user_id: uuid.UUID) -> str | None: ...

    async def user_of(self, stripe_customer_id: str) -> uuid.UUID | None: ...

    async def link(self, user_id: uuid.UUID, stripe_customer_id: str, email: str | None = None) -> str:
        """Link, or return the customer already linked (a concurrent creation won)."""
        ...

    async def unlink_customer(self, stripe_customer_id: str) -> uuid.UUID | None: ...


class InvoiceRepository(Protocol):
    async def upsert_if_newer(self, user_id: uuid.UUID, invoice: InvoiceSnapshot) -> bool: ...

    async def of_user(self, user_id: uuid.UUID, limit: int) -> list[dict[str, Any]]: ...

    async def get(self, user_id: uuid.UUID, invoice_id: uuid.UUID) -> dict[str, Any] | None: ...

    async def for_period(self, start: datetime, end: datetime) -> list[dict[str, Any]]: ...


class PlanPriceRepository(Protocol):
    async def of_book(self, price_book_id: uuid.UUID) -> dict[str, str]:
        """Metric -> the Stripe price that bills it under this book."""
        ...

    async def meter_of(self, metric: str) -> str | None: ...

    async def add(self, price_book_id: uuid.UUID, metric: str, meter_id: str, price_id: str) -> None: ...


class SubscriptionRepository(Protocol):
    async def upsert_if_newer(self, user_id: uuid.UUID, snapshot: SubscriptionSnapshot) -> bool: ...

    async def of_user(self, user_id: uuid.UUID) -> list[dict[str, Any]]: ...


class WebhookEventRepository(Protocol):
    async def store_once(self, event: StripeEvent, payload: bytes) -> bool: ...

    async def load(self, stripe_event_id: str) -> tuple[StripeEvent, dict[str, Any]] | None: ...

    async def of_status(self, status: str, limit: int) -> list[dict[str, Any]]: ...

    async def mark(self, stripe_event_id: str, status: str, error: str | None = None) -> None: ...


class ReconciliationRepository(Protocol):
    async def create_run(self, period_start: datetime, period_end: datetime) -> uuid.UUID | None: ...

    async def get_run(self, run_id: uuid.UUID) -> dict[str, Any] | None: ...

    async def list_runs(self, limit: int) -> list[dict[str, Any]]: ...

    async def set_run(self, run_id: uuid.UUID, **values: Any) -> None: ...

    async def fail_stale(
        self, period_start: datetime, period_end: datetime, heartbeat_before: datetime
    ) -> list[uuid.UUID]: ...

    async def accounted_total(self, user_id: uuid.UUID, period_start: datetime, period_end: datetime) -> int: ...

    async def add_adjustment(
        self, run_id: uuid.UUID, user_id: uuid.UUID, amount_minor: int, currency: str, reason: str, status: str
    ) -> uuid.UUID: ...

    async def adjustment(self, adjustment_id: uuid.UUID) -> dict[str, Any] | None: ...

    async def approve(self, adjustment_id: uuid.UUID) -> None:
        """An adjustment awaiting approval becomes ``proposed`` (to apply)."""
        ...

    async def mark_applied(self, adjustment_id: uuid.UUID, stripe_object_id: str) -> None: ...

    async def proposed(
        self, user_id: uuid.UUID, period_start: datetime, period_end: datetime
    ) -> list[dict[str, Any]]: ...

    async def adjustments(self, run_id: uuid.UUID) -> list[dict[str, Any]]: ...


class ParkedEventRepository(Protocol):
    async def park(self, events: Sequence[ParkedEvent]) -> None: ...

    async def oldest(self, limit: int, source: str | None) -> list[dict[str, Any]]: ...

    async def take(self, ids: Sequence[uuid.UUID] | None, limit: int) -> list[dict[str, Any]]: ...

    async def remove(self, ids: Sequence[uuid.UUID]) -> None: ...


class Transaction(Protocol):
    @property
    def usage(self) -> UsageStore: ...
    @property
    def books(self) -> PriceBookRepository: ...
    @property
    def budgets(self) -> BudgetRepository: ...
    @property
    def alerts(self) -> AlertRepository: ...
    @property
    def customers(self) -> StripeCustomerRepository: ...
    @property
    def invoices(self) -> InvoiceRepository: ...
    @property
    def plan_prices(self) -> PlanPriceRepository: ...
    @property
    def subscriptions(self) -> SubscriptionRepository: ...
    @property
    def webhooks(self) -> WebhookEventRepository: ...
    @property
    def reconciliation(self) -> ReconciliationRepository: ...
    @property
    def parked(self) -> ParkedEventRepository: ...
    @property
    def outbox(self) -> Outbox: ...


Transactions = Callable[[], AbstractAsyncContextManager[Transaction]]
"""Opens one transaction: ``async with transactions() as tx: ...`` commits on success."""


class StripeGateway(Protocol):
    """Every call billing makes to Stripe. ``idempotency_key`` makes a retried call safe."""

    async def create_customer(self, user_id: uuid.UUID, email: str | None, idempotency_key: str) -> str: ...

    async def send_meter_event(self, event: MeterEvent, stripe_customer_id: str) -> None: ...

    async def invoice_lines_total(
        self, stripe_customer_id: str, period_start: datetime, period_end: datetime
    ) -> int: ...

    async def create_invoice_item(
        self, stripe_customer_id: str, amount_minor: int, currency: str, description: str, idempotency_key: str
    ) -> str: ...

    async def create_credit_note(
        self, invoice_id: str, amount_minor: int, reason: str, idempotency_key: str
    ) -> str: ...

    async def create_meter(self, metric: str, idempotency_key: str) -> str:
        """A meter summing the values of the metric's meter events, per customer."""
        ...

    async def create_price(
        self, metric: str, currency: str, meter_id: str, terms: dict[str, Any], idempotency_key: str
    ) -> str:
        """A monthly metered price on ``meter_id``, billing with ``terms`` (``domain.plan.price_terms``)."""
        ...

    async def create_checkout_session(
        self, stripe_customer_id: str, price_ids: Sequence[str], success_url: str, cancel_url: str
    ) -> CheckoutLink: ...

    async def create_portal_session(self, stripe_customer_id: str, return_url: str) -> str:
        """The URL of a customer-portal session."""
        ...


class UserEmails(Protocol):
    async def email_of(self, user_id: uuid.UUID) -> str | None:
        """The user's email as identity knows it (None: the user has none)."""
        ...


class WebhookRefused(Exception):
    """The webhook URL reaches an address the egress guard refuses: retrying would not help."""


class WebhookSender(Protocol):
    async def refusal(self, url: str) -> str | None:
        """Why ``url`` may not receive webhooks (an internal or metadata address), or None."""
        ...

    async def send(self, url: str, secret: str, body: bytes, idempotency_key: str) -> None:
        """POST ``body`` signed with ``secret``; :class:`WebhookRefused` when its address is refused,
        another error on anything but a 2xx (the job retries)."""
        ...


class SignatureVerifier(Protocol):
    def verify(self, payload: bytes, signature_header: str | None) -> dict[str, Any]:
        """The signed event, or :class:`~mlp.billing.domain.errors.InvalidSignature`."""
        ...

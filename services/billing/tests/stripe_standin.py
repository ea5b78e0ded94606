"""A local HTTP server standing in for Stripe's API: records what the SDK sends, answers like Stripe.

It keeps customers, meter events (deduplicated on ``identifier``), invoice items, credit notes and
the plan's objects (:mod:`stripe_standin_objects`); it refuses, with Stripe's 400, what Stripe
refuses (a missing or unknown object, an idempotency key reused with other parameters).
``fail_next`` answers that many requests with a 500 first (an outage before Stripe ran anything,
so nothing is stored and the idempotency key is not used up). What the user and Stripe's clock
do (a Checkout completed, a period closed) is in :mod:`stripe_standin_lifecycle`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from stripe_standin_objects import Catalogue, Refused, require, unflatten


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class StripeState:
    requests: list[Recorded] = field(default_factory=list)
    fail_next: int = 0
    fail_requests: set[int] = field(default_factory=set)
    """Ordinals (1-based) of POSTs answered with a 500 (an outage mid-way)."""
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    meter_events: dict[str, dict[str, str]] = field(default_factory=dict)
    invoices: list[dict[str, Any]] = field(default_factory=list)
    idempotent: dict[str, tuple[dict[str, str], dict[str, Any]]] = field(default_factory=dict)
    catalogue: Catalogue = field(default_factory=Catalogue)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(state: StripeState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            return

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            with state.lock:
                state.requests.append(Recorded("GET", path, dict(parse_qsl(query)), dict(self.headers.items())))
                customer = dict(parse_qsl(query)).get("customer")
                data = [i for i in state.invoices if i["customer"] == customer]
            self._reply(200, {"object": "list", "data": data, "has_more": False, "url": path})

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
            key = self.headers.get("idempotency-key", "")
            with state.lock:
                state.requests.append(Recorded("POST", self.path, form, dict(self.headers.items())))
                posts = sum(r.method == "POST" for r in state.requests)
                if state.fail_next or posts in state.fail_requests:
                    state.fail_next = max(0, state.fail_next - 1)
                    self._reply(500, {"error": {"type": "api_error", "message": "stand-in outage"}})
                    return
                try:
                    if key and key in state.idempotent:
                        earlier, body = state.idempotent[key]
                        require(
                            earlier == form,
                            "Keys for idempotent requests can only be used with the same parameters",
                            kind="idempotency_error",
                        )
                    else:
                        body = self._create(form)
                except Refused as refused:
                    error = {"type": refused.kind, "message": str(refused), "param": refused.param}
                    self._reply(400, {"error": error})
                    return
                if key:
                    state.idempotent[key] = (form, body)
            self._reply(200, body)

        def _create(self, form: dict[str, str]) -> dict[str, Any]:
            number = len(state.requests)
            if self.path == "/v1/customers":
                customer = {
                    "id": f"cus_{number}",
                    "object": "customer",
                    "email": form.get("email"),
                    "metadata": {"user_id": form.get("metadata[user_id]")},
                }
                state.customers[customer["id"]] = customer
                return customer
            if self.path == "/v1/billing/meter_events":
                state.meter_events.setdefault(form["identifier"], form)
                return {
                    "object": "billing.meter_event",
                    "identifier": form["identifier"],
                    "event_name": form["event_name"],
                }
            params = unflatten(form)
            if self.path == "/v1/invoiceitems":
                require(
                    form.get("customer") in state.customers, f"No such customer: '{form.get('customer')}'", "customer"
                )
                return {"id": f"ii_{number}", "object": "invoiceitem", "amount": int(form["amount"])}
            if self.path == "/v1/credit_notes":
                known = any(i["id"] == form.get("invoice") for i in state.invoices)
                require(known, f"No such invoice: '{form.get('invoice')}'", "invoice")
                return {"id": f"cn_{number}", "object": "credit_note", "invoice": form["invoice"]}
            if self.path == "/v1/billing/meters":
                return state.catalogue.meter(number, params)
            if self.path == "/v1/prices":
                return state.catalogue.price(number, params)
            if self.path == "/v1/checkout/sessions":
                return state.catalogue.checkout(number, params, state.customers)
            if self.path == "/v1/billing_portal/sessions":
                require(
                    form.get("customer") in state.customers, f"No such customer: '{form.get('customer')}'", "customer"
                )
                return {
                    "id": f"bps_{number}",
                    "object": "billing_portal.session",
                    "url": f"https://billing.stripe.com/p/session/{number}",
                    **params,
                }
            raise Refused(f"Unrecognized request URL (POST: {self.path}).")

    return Handler


@contextmanager
def stripe_standin() -> Iterator[tuple[str, StripeState]]:
    state = StripeState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()

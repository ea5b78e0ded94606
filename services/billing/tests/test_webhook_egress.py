"""Budget webhooks never reach inside the platform: internal and metadata URLs are refused when
set (422, no budget) and at delivery (a name rebound to loopback is not called, nor retried)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from billing_fakes import FakeStripe, FixedClock
from billing_harness import Billing, Tokens

from mlp.billing.adapters.http.alert_webhooks import HttpAlertWebhooks
from mlp.billing.adapters.outbox import billing_outbox
from mlp.billing.application.jobs import AlertNotice
from mlp.billing.application.ports import WebhookRefused
from mlp.billing.settings import BillingSettings
from mlp.billing.wiring import use_cases
from mlp.common.egress.guard import EgressGuard
from mlp.common.egress.policy import EgressPolicy
from mlp.devtools.loopback_server import LoopbackServer
from mlp.devtools.rebinding_resolver import RebindingResolver


class Receiver(LoopbackServer):
    calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost:8004/hook",
        "http://billing:8004/metrics",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest",
        "http://100.100.100.200/latest",
        "http://metadata.google.internal/computeMetadata/v1/",
    ],
)
async def test_an_internal_or_metadata_webhook_url_is_a_422_and_no_budget(
    billing: Billing, tokens: Tokens, url: str
) -> None:
    user = uuid.uuid4()
    put = await billing.client.put(
        "/v1/budgets",
        json={"monthly_amount_minor": 1000, "currency": "USD", "webhook_url": url},
        headers=tokens.user(user),
    )
    assert put.status_code == 422, put.text
    assert (put.json()["type"], put.json()["field"]) == ("urn:mlp:problem:forbidden-url", "webhook_url")
    assert (await billing.client.get("/v1/budgets", headers=tokens.user(user))).status_code == 404


async def test_delivery_to_loopback_is_refused_and_allowed_only_by_the_allow_list(receiver: Receiver) -> None:
    refused = HttpAlertWebhooks(EgressGuard(EgressPolicy()), 5.0)
    allowed = HttpAlertWebhooks(EgressGuard(EgressPolicy.parse("127.0.0.0/8")), 5.0)
    try:
        with pytest.raises(WebhookRefused):
            await refused.send(f"{receiver.url}/hook", "whsec_x", b"{}", "k1")
        assert receiver.calls == 0
        await allowed.send(f"{receiver.url}/hook", "whsec_x", b"{}", "k2")
        assert receiver.calls == 1
    finally:
        await refused.aclose()
        await allowed.aclose()


async def test_a_webhook_host_rebound_to_loopback_is_not_called_nor_retried(
    billing: Billing, billing_settings: BillingSettings, receiver: Receiver
) -> None:
    before = receiver.calls
    sender = HttpAlertWebhooks(EgressGuard(EgressPolicy(), RebindingResolver()), 5.0)
    cases = use_cases(
        billing.engine, billing_settings, billing_outbox, FakeStripe(), sender, FixedClock(), billing.emails
    )
    user = uuid.uuid4()
    url = f"http://hooks.rebind.test:{receiver.url.rsplit(':', 1)[1]}/hook"
    try:
        await cases.budgets.put(user, 1000, "USD", None, url)  # the check sees the public address
        notice = AlertNotice(uuid.uuid4(), user, url, b'{"type": "billing.alert.budget_threshold"}')
        await cases.budgets.notify(msgspec.json.encode(notice))  # returns: the job is done, not retried
    finally:
        await sender.aclose()
    assert receiver.calls == before

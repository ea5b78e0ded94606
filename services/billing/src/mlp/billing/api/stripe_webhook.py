"""``POST /v1/stripe/webhook``: Stripe signs it, so it bypasses forward auth and checks the signature here.

A bad signature or a timestamp older than the tolerance (300 s) is a 400 and nothing is stored.
A valid event is stored once (deduplicated on Stripe's event id) and answered 200 at once; a
worker job processes it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.datastructures import State
from litestar.di import NamedDependency

from mlp.billing.api.views import WebhookAck
from mlp.billing.application.ports import SignatureVerifier
from mlp.billing.application.stripe_webhooks import StripeWebhooks
from mlp.billing.domain.errors import InvalidSignature
from mlp.common.auth.litestar import PUBLIC
from mlp.common.runtime.problems import Problem

STRIPE_WEBHOOK_PATH = "/v1/stripe/webhook"


@post(STRIPE_WEBHOOK_PATH, opt=PUBLIC, status_code=200, tags=["stripe"], summary="Stripe webhook endpoint (signed)")
async def stripe_webhook(
    request: Request[Any, Any, State], stripe_webhooks: NamedDependency[StripeWebhooks]
) -> WebhookAck:
    verifier: SignatureVerifier = request.app.state.stripe_signatures
    body = await request.body()
    try:
        payload = verifier.verify(body, request.headers.get("stripe-signature"))
    except InvalidSignature as exc:
        raise Problem(400, "invalid-signature", f"Stripe-Signature rejected: {exc}", field="stripe-signature") from None
    first = await stripe_webhooks.receive(payload, body)
    return WebhookAck(received=True, duplicate=not first)

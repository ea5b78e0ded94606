"""Alert webhooks to users' URLs, signed like Stripe's: ``t=<unix>,v1=<hex HMAC-SHA256("<t>.<body>")>``.

Headers: ``Mlp-Signature`` (the signature), ``Idempotency-Key`` (the alert id: a receiver
seeing it twice drops the second). Anything but a 2xx raises, so the job retries with backoff.
Connections go through the egress guard: an internal or metadata address is refused when the
URL is set and again at every delivery (the address connected to is the one checked).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlsplit

from mlp.billing.application.ports import WebhookRefused
from mlp.common.egress.guard import EgressGuard
from mlp.common.egress.httpx_transport import guarded_http_client
from mlp.common.egress.policy import EgressRefused

SIGNATURE_HEADER = "mlp-signature"


def signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class HttpAlertWebhooks:
    def __init__(self, guard: EgressGuard, timeout_seconds: float) -> None:
        self._guard = guard
        self._client = guarded_http_client(guard, timeout=timeout_seconds)

    async def refusal(self, url: str) -> str | None:
        """A name that does not resolve yet is accepted: delivery checks it again."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return "an invalid port"
        if not parts.hostname:
            return "no host"
        try:
            await self._guard.addresses(parts.hostname, port)
        except EgressRefused as refused:
            return str(refused)
        except OSError:
            return None
        return None

    async def send(self, url: str, secret: str, body: bytes, idempotency_key: str) -> None:
        try:
            response = await self._client.post(
                url,
                content=body,
                headers={
                    "content-type": "application/json",
                    SIGNATURE_HEADER: signature(secret, body, int(time.time())),
                    "idempotency-key": idempotency_key,
                },
            )
        except EgressRefused as refused:
            raise WebhookRefused(str(refused)) from refused
        response.raise_for_status()

    async def aclose(self) -> None:
        await self._client.aclose()

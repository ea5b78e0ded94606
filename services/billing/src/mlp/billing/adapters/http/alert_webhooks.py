"""Alert webhooks to users' URLs, signed like Stripe's: ``t=<unix>,v1=<hex HMAC-SHA256("<t>.<body>")>``.

Headers: ``Mlp-Signature`` (the signature), ``Idempotency-Key`` (the alert id: a receiver
seeing it twice drops the second). Anything but a 2xx raises, so the job retries with backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx

SIGNATURE_HEADER = "mlp-signature"


def signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class HttpAlertWebhooks:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(self, url: str, secret: str, body: bytes, idempotency_key: str) -> None:
        response = await self._client.post(
            url,
            content=body,
            headers={
                "content-type": "application/json",
                SIGNATURE_HEADER: signature(secret, body, int(time.time())),
                "idempotency-key": idempotency_key,
            },
        )
        response.raise_for_status()

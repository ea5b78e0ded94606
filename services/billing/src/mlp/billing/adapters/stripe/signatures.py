"""Stripe-Signature checks with the real SDK (``stripe.Webhook.construct_event``)."""

from __future__ import annotations

from typing import Any

import stripe

from mlp.billing.domain.errors import InvalidSignature


class StripeSignatureVerifier:
    def __init__(self, secret: str, tolerance_seconds: int = 300) -> None:
        self._secret = secret
        self._tolerance = tolerance_seconds

    def verify(self, payload: bytes, signature_header: str | None) -> dict[str, Any]:
        """The event as a dict, or :class:`InvalidSignature` (bad, missing or too old)."""
        if not self._secret or not signature_header:
            raise InvalidSignature("missing signature or no endpoint secret configured")
        try:
            event = stripe.Webhook.construct_event(payload, signature_header, self._secret, tolerance=self._tolerance)
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise InvalidSignature(str(exc)) from None
        return dict(event.to_dict())

"""The body of an alert webhook, queued with the alert (the job signs and sends it)."""

from __future__ import annotations

import uuid

import msgspec

from mlp.billing.application.jobs import AlertNotice
from mlp.billing.domain.periods import Period


def alert_notice(
    alert_id: uuid.UUID,
    user_id: uuid.UUID,
    url: str,
    kind: str,
    amount_minor: int,
    currency: str,
    period: Period,
    threshold_percent: int = 0,
) -> bytes:
    body = msgspec.json.encode(
        {
            "id": str(alert_id),
            "type": f"billing.alert.{kind}",
            "user_id": str(user_id),
            "period": period.label,
            "threshold_percent": threshold_percent,
            "amount_minor": amount_minor,
            "currency": currency,
        }
    )
    return msgspec.json.encode(AlertNotice(alert_id=alert_id, user_id=user_id, url=url, body=body))

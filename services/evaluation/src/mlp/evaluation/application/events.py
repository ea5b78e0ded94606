"""The audit and usage events evaluation announces (through the outbox, with the change)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from mlp.common.contracts.audit import OperationEventIn, operation_event
from mlp.common.contracts.usage import EVAL_ROWS, UsageEventIn

SERVICE = "evaluation"


def audit_event(
    user_id: uuid.UUID,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID,
    at: datetime,
    details: dict[str, Any] | None = None,
) -> OperationEventIn:
    return operation_event(SERVICE, user_id, action, resource_type, resource_id, at, details=details)


def usage_events(user_id: uuid.UUID, run_id: uuid.UUID, first_row: int, rows: int, at: datetime) -> list[UsageEventIn]:
    """Usage of one written batch: its rows. The id derives from the run and the batch's first newly
    written row, which no other batch can write again: a retried delivery is deduplicated by billing.

    A judge's tokens are not metered here: its calls go through registry's inference API, which
    meters every call once (as the judge deployment's inference tokens)."""
    return [
        UsageEventIn(
            event_id=f"evaluation:{EVAL_ROWS}:{run_id}:{first_row}",
            user_id=user_id,
            metric=EVAL_ROWS,
            quantity=Decimal(rows),
            timestamp=at,
            properties={"run_id": str(run_id)},
        )
    ]

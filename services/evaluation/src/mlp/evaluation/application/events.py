"""The audit and usage events evaluation announces (through the outbox, with the change)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from mlp.common.contracts.audit import OperationEventIn, operation_event
from mlp.common.contracts.usage import EVAL_JUDGE_TOKENS, EVAL_ROWS, UsageEventIn

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


def usage_events(
    user_id: uuid.UUID, run_id: uuid.UUID, first_row: int, rows: int, judge_tokens: int, at: datetime
) -> list[UsageEventIn]:
    """Usage of one written batch. Ids derive from the run and the batch's first newly written
    row, which no other batch can write again: a retried delivery is deduplicated by billing."""
    key = f"{run_id}:{first_row}"
    properties = {"run_id": str(run_id)}
    events = [
        UsageEventIn(
            event_id=f"evaluation:{EVAL_ROWS}:{key}",
            user_id=user_id,
            metric=EVAL_ROWS,
            quantity=Decimal(rows),
            timestamp=at,
            properties=properties,
        )
    ]
    if judge_tokens:
        events.append(
            UsageEventIn(
                event_id=f"evaluation:{EVAL_JUDGE_TOKENS}:{key}",
                user_id=user_id,
                metric=EVAL_JUDGE_TOKENS,
                quantity=Decimal(judge_tokens),
                timestamp=at,
                properties=properties,
            )
        )
    return events

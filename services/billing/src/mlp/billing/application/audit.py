"""OperationEvents billing records for identity's audit trail (through the outbox)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from mlp.common.contracts.audit import OperationEventIn, operation_event


def operation(
    user_id: uuid.UUID | None,
    action: str,
    resource_type: str,
    resource_id: object,
    at: datetime,
    **details: Any,
) -> OperationEventIn:
    """``user_id`` None: an operator's change (price books, reconciliation), recorded on the nil user."""
    flat = {k: str(v) if not isinstance(v, int | str | bool | None) else v for k, v in details.items()}
    return operation_event("billing", user_id or uuid.UUID(int=0), action, resource_type, resource_id, at, details=flat)

"""The OperationEvents the model registry sends to identity's audit trail (through the outbox)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from mlp.common.contracts.audit import OperationEventIn, operation_event

SERVICE = "registry"


def registry_event(
    user_id: uuid.UUID,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID,
    at: datetime,
    outcome: str = "success",
    **details: Any,
) -> OperationEventIn:
    """``action`` is ``<resource>.<verb>`` (``model.create``, ``model_version.update``, ``model_alias.set`` …)."""
    details = {k: v for k, v in details.items() if v is not None}
    return operation_event(SERVICE, user_id, action, resource_type, resource_id, at, outcome, details)

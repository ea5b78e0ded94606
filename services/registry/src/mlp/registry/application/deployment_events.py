"""The OperationEvents a deployment's state changes send to identity's audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from mlp.common.contracts.audit import OperationEventIn
from mlp.registry.domain.deployments import Deployment


def deployment_event(
    deployment: Deployment, action: str, at: datetime, outcome: str = "success", **details: Any
) -> OperationEventIn:
    return OperationEventIn(
        event_id=uuid.uuid4(),
        user_id=deployment.user_id,
        action=f"deployment.{action}",
        resource_type="deployment",
        resource_id=str(deployment.id),
        occurred_at=at,
        service="registry",
        outcome=outcome,
        details={
            "name": deployment.name,
            "status": deployment.status,
            "model_version_id": str(deployment.serves.version_id),
            "version": deployment.serves.version,
            **details,
        },
    )

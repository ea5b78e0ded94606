"""The OperationEvents a deployment's state changes send to identity's audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mlp.common.contracts.audit import OperationEventIn
from mlp.registry.application.models_audit import registry_event
from mlp.registry.domain.deployments import Deployment


def deployment_event(
    deployment: Deployment, action: str, at: datetime, outcome: str = "success", **details: Any
) -> OperationEventIn:
    return registry_event(
        deployment.user_id,
        f"deployment.{action}",
        "deployment",
        deployment.id,
        at,
        outcome,
        name=deployment.name,
        status=deployment.status,
        model_version_id=str(deployment.serves.version_id),
        version=deployment.serves.version,
        **details,
    )

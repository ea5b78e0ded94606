"""The usage events one inference call sends to billing: input and output tokens, keyed by the call's id."""

from __future__ import annotations

from decimal import Decimal

from mlp.common.contracts.usage import INFERENCE_TOKENS_INPUT, INFERENCE_TOKENS_OUTPUT, UsageEventIn
from mlp.registry.domain.inference import InferenceRecord


def usage_events(record: InferenceRecord) -> list[UsageEventIn]:
    """``<record id>:input`` and ``<record id>:output``: a redelivered batch creates no duplicate in billing."""
    properties = {
        "deployment_id": str(record.deployment_id),
        "model_version_id": str(record.model_version_id),
        "endpoint": record.endpoint,
    }
    events = []
    for suffix, metric, tokens in (
        ("input", INFERENCE_TOKENS_INPUT, record.prompt_tokens),
        ("output", INFERENCE_TOKENS_OUTPUT, record.completion_tokens),
    ):
        if tokens:
            events.append(
                UsageEventIn(
                    event_id=f"inference:{record.id}:{suffix}",
                    user_id=record.user_id,
                    metric=metric,
                    quantity=Decimal(tokens),
                    timestamp=record.created_at,
                    properties=properties,
                )
            )
    return events

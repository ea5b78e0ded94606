"""The usage events one inference call sends to billing, each keyed by the call's id.

Every answered call is metered exactly once: by its tokens (``inference.tokens.input`` /
``output``, the billed figures: see inference_metering) when it has any, else as one call
(``inference.requests``: http-json predictions, and any answer with no token to bill). A call the
upstream refused (status 400 or more) is not billed.
"""

from __future__ import annotations

from decimal import Decimal

from mlp.common.contracts.usage import (
    INFERENCE_REQUESTS,
    INFERENCE_TOKENS_INPUT,
    INFERENCE_TOKENS_OUTPUT,
    UsageEventIn,
)
from mlp.registry.domain.inference import InferenceRecord


def usage_events(record: InferenceRecord) -> list[UsageEventIn]:
    """Ids ``inference:<record id>:input|output|request``: a redelivered batch creates no duplicate in billing."""
    if record.status_code >= 400:
        return []
    properties = {
        "deployment_id": str(record.deployment_id),
        "model_version_id": str(record.model_version_id),
        "endpoint": record.endpoint,
    }
    measured = [
        ("input", INFERENCE_TOKENS_INPUT, record.prompt_tokens),
        ("output", INFERENCE_TOKENS_OUTPUT, record.completion_tokens),
    ]
    metered = [(suffix, metric, quantity) for suffix, metric, quantity in measured if quantity]
    return [
        UsageEventIn(
            event_id=f"inference:{record.id}:{suffix}",
            user_id=record.user_id,
            metric=metric,
            quantity=Decimal(quantity),
            timestamp=record.created_at,
            properties=properties,
        )
        for suffix, metric, quantity in metered or [("request", INFERENCE_REQUESTS, 1)]
    ]

"""CloudEvents (structured JSON, single or batch) as usage events, so OpenMeter-style producers work unchanged.

``id`` is the event id, ``type`` the metric, ``subject`` the user id, ``time`` the timestamp and
``data`` carries the quantity (``data.quantity``, else ``data.value``); the rest of ``data`` and
``source`` become properties.
"""

from __future__ import annotations

from typing import Any

import msgspec

from mlp.billing.application.event_validation import RawUsageEvent

CLOUDEVENT = "application/cloudevents+json"
CLOUDEVENTS_BATCH = "application/cloudevents-batch+json"


class CloudEvent(msgspec.Struct, kw_only=True):
    id: Any = None
    source: Any = None
    specversion: Any = None
    type: Any = None
    subject: Any = None
    time: Any = None
    data: Any = None


def to_raw(event: CloudEvent) -> RawUsageEvent:
    data = dict(event.data) if isinstance(event.data, dict) else {}
    quantity = data.pop("quantity", data.pop("value", None))
    properties = {**data, "source": event.source} if event.source is not None else data
    return RawUsageEvent(
        event_id=event.id,
        user_id=event.subject,
        metric=event.type,
        quantity=quantity,
        timestamp=event.time,
        properties=properties,
    )

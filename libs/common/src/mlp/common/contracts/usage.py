"""Usage events: what registry and evaluation meter and billing ingests (``POST /v1/usage-events``).

``event_id`` is the idempotency key chosen by the sender: the same id with the same payload is
accepted again without a duplicate; the same id with another payload is a conflict. Quantities
are decimals (never floats); billing rates them with its price books.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Final

import msgspec

USAGE_EVENTS_PATH: Final = "/v1/usage-events"
MAX_USAGE_BATCH: Final = 1000

# the metrics billing knows; a sender uses exactly these names
INFERENCE_TOKENS_INPUT: Final = "inference.tokens.input"
INFERENCE_TOKENS_OUTPUT: Final = "inference.tokens.output"
INFERENCE_REQUESTS: Final = "inference.requests"
"""One answered call that has no token to bill (http-json predictions): each call is metered once,
by its tokens or else by this."""
EVAL_ROWS: Final = "eval.rows"
EVAL_JUDGE_TOKENS: Final = "eval.judge.tokens"
"""No longer sent (a judge's calls are metered once, by registry, as inference); still accepted for
events an older evaluation already put in its outbox."""
STORAGE_BYTES: Final = "storage.bytes"
"""Bytes newly stored (positive) or released (negative is not allowed: a release is not billed back)."""
TUNE_TOKENS_TRAINED: Final = "tune.tokens.trained"

METRICS: Final = frozenset(
    {
        INFERENCE_TOKENS_INPUT,
        INFERENCE_TOKENS_OUTPUT,
        INFERENCE_REQUESTS,
        EVAL_ROWS,
        EVAL_JUDGE_TOKENS,
        STORAGE_BYTES,
        TUNE_TOKENS_TRAINED,
    }
)

Metric = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")]


class UsageEventIn(msgspec.Struct, frozen=True, kw_only=True):
    """One metered fact. Validity of ``metric`` and ``quantity`` is judged per event by billing."""

    event_id: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    user_id: uuid.UUID
    metric: Metric
    quantity: Decimal
    timestamp: datetime
    properties: dict[str, Any] = msgspec.field(default_factory=dict)


class UsageEventBatch(msgspec.Struct, frozen=True, kw_only=True):
    events: Annotated[list[UsageEventIn], msgspec.Meta(min_length=1, max_length=MAX_USAGE_BATCH)]


class UsageEventResult(msgspec.Struct, frozen=True, kw_only=True):
    """Billing's answer per event: ``accepted``, ``duplicate``, ``conflict`` (409) or ``invalid`` (422).

    ``parked``: refused, but kept by billing with its reason (a platform service's event), to be
    replayed once the cause is fixed: the sender has nothing more to do with it.
    """

    event_id: str
    status: str
    status_code: int
    detail: str | None = None
    parked: bool = False


class UsageBatchReceipt(msgspec.Struct, frozen=True, kw_only=True):
    results: list[UsageEventResult]
    accepted: int
    duplicates: int
    rejected: int

"""The outbox's built-in deliveries: audit events to identity, usage events to billing.

Each is a job handler (``payload bytes -> None``): it POSTs the batch with a service token and
returns once the receiver acknowledged it; anything else raises, and the worker retries the job
with backoff. Receivers deduplicate on the events' ids, so a redelivery changes nothing.
"""

from __future__ import annotations

import httpx
import msgspec
import structlog

from mlp.common.contracts.audit import BatchReceipt, OperationEventBatch
from mlp.common.contracts.usage import USAGE_EVENTS_PATH, UsageBatchReceipt, UsageEventBatch
from mlp.common.runtime.service_tokens import TokenSource

AUDIT_INGEST_PATH = "/internal/v1/audit-events"
_log = structlog.get_logger("outbox")


class DeliveryRefused(Exception):
    """The receiver did not acknowledge the batch; the job is retried."""


async def _post(http: httpx.AsyncClient, url: str, body: bytes, tokens: TokenSource) -> httpx.Response:
    token = await tokens()
    response = await http.post(
        url, content=body, headers={"authorization": f"Bearer {token}", "content-type": "application/json"}
    )
    if not response.is_success:
        raise DeliveryRefused(f"{url} answered {response.status_code}: {response.text[:200]}")
    return response


class AuditRelay:
    """Delivers ``OperationEventBatch`` jobs to identity's audit ingest."""

    def __init__(self, http: httpx.AsyncClient, identity_url: str, tokens: TokenSource) -> None:
        self._http = http
        self._url = identity_url.rstrip("/") + AUDIT_INGEST_PATH
        self._tokens = tokens

    async def __call__(self, payload: bytes) -> None:
        batch = msgspec.json.decode(payload, type=OperationEventBatch)
        response = await _post(self._http, self._url, payload, self._tokens)
        receipt = msgspec.json.decode(response.content, type=BatchReceipt)
        if receipt.accepted + receipt.duplicates != len(batch.events):
            raise DeliveryRefused(f"identity took {receipt.accepted + receipt.duplicates} of {len(batch.events)}")


class UsageRelay:
    """Delivers ``UsageEventBatch`` jobs to billing's ingest.

    An event billing refuses (a conflict or an invalid event: 409/422 per event) is not retried:
    resending the same bytes cannot change the answer. Billing parks a service's refused events
    with the reason and replays them once the cause is fixed; one it did not park is an error.
    """

    def __init__(self, http: httpx.AsyncClient, billing_url: str, tokens: TokenSource) -> None:
        self._http = http
        self._url = billing_url.rstrip("/") + USAGE_EVENTS_PATH
        self._tokens = tokens

    async def __call__(self, payload: bytes) -> None:
        msgspec.json.decode(payload, type=UsageEventBatch)  # an undecodable job fails, it is never sent
        response = await _post(self._http, self._url, payload, self._tokens)
        receipt = msgspec.json.decode(response.content, type=UsageBatchReceipt)
        for result in receipt.results:
            if result.status_code >= 400:
                log = _log.warning if result.parked else _log.error
                log(
                    "usage event refused by billing",
                    event_id=result.event_id,
                    status=result.status,
                    parked=result.parked,
                )

"""identity's worker: ``mlp worker identity`` relays ``user.deleted`` to the other services.

The shared worker (:mod:`mlp.common.runtime.worker`: retries with backoff, heartbeats, graceful
stop) runs on identity's queue with one entrypoint of its own: each ``deliver_user_deleted`` job
carries one ``UserDeleted`` event for one subscriber service, POSTed to
``<subscriber>/internal/v1/events/user-deleted`` with a service token identity mints for itself
(locally: identity is the token issuer). The job is done once the subscriber answers 2xx with a
``PurgeReceipt`` for that event; receivers deduplicate on ``event_id``, so a delivery repeated
after a lost acknowledgement changes nothing more.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import httpx
import msgspec
import structlog

from mlp.common.auth.principal import Principal
from mlp.common.contracts.events import USER_DELETED_PATH, PurgeReceipt
from mlp.common.runtime.database import create_engine
from mlp.common.runtime.http import service_http_client
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.relays import DeliveryRefused
from mlp.common.runtime.service_tokens import TokenSource
from mlp.common.runtime.worker import Entrypoint, run_service_worker
from mlp.identity.adapters.db.retention import identity_retention
from mlp.identity.adapters.db.tables import SCHEMA
from mlp.identity.adapters.outbox import DELIVER_USER_DELETED, UserDeletedDelivery, parse_subscribers
from mlp.identity.platform_token_wiring import platform_tokens
from mlp.identity.settings import IdentitySettings, identity_settings

IDENTITY = Principal.for_service("identity")
_log = structlog.get_logger("outbox")


class UserDeletedRelay:
    """The job handler: one delivery of one event to one subscriber."""

    def __init__(self, http: httpx.AsyncClient, subscribers: Mapping[str, str], tokens: TokenSource) -> None:
        self._http = http
        self._subscribers = dict(subscribers)
        self._tokens = tokens

    async def __call__(self, payload: bytes) -> None:
        delivery = msgspec.json.decode(payload, type=UserDeletedDelivery)
        base_url = self._subscribers.get(delivery.service)
        if base_url is None:
            raise DeliveryRefused(f"no URL configured for subscriber {delivery.service!r}")
        response = await self._http.post(
            f"{base_url}{USER_DELETED_PATH}",
            content=msgspec.json.encode(delivery.event),
            headers={"authorization": f"Bearer {await self._tokens()}", "content-type": "application/json"},
        )
        if not response.is_success:
            raise DeliveryRefused(f"{delivery.service} answered {response.status_code}")
        try:
            receipt = msgspec.json.decode(response.content, type=PurgeReceipt)
        except msgspec.DecodeError as exc:  # a receiver's bug or a proxy's page: retried, not failed
            raise DeliveryRefused(f"{delivery.service} answered without a receipt") from exc
        if receipt.event_id != delivery.event.event_id:
            raise DeliveryRefused(f"{delivery.service} answered with a receipt for event {receipt.event_id}")
        _log.info("delivered", service=delivery.service, event_id=str(receipt.event_id), duplicate=receipt.duplicate)


async def run_worker(settings: IdentitySettings) -> None:
    """Relay identity's outbox until SIGTERM/SIGINT, then finish the deliveries in flight."""
    subscribers = parse_subscribers(settings.user_deleted_subscribers)
    engine = create_engine(settings.database_url, pool_size=settings.worker_db_pool_size)
    tokens = platform_tokens(engine, settings)

    async def service_token() -> str:
        return (await tokens.issue(IDENTITY)).token

    try:
        async with service_http_client(settings.http_timeout_seconds, settings.http_retries) as http:
            relay = UserDeletedRelay(http, subscribers, service_token)
            await run_service_worker(
                settings,
                "identity",
                SCHEMA,
                {DELIVER_USER_DELETED: Entrypoint(relay)},
                token_source=service_token,
                retention=identity_retention(settings),
            )
    finally:
        await engine.dispose()


def main() -> None:
    settings = identity_settings()
    configure_logging("identity", settings.log_level)
    asyncio.run(run_worker(settings))


if __name__ == "__main__":
    main()

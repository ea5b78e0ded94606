"""billing's worker: ``mlp worker billing`` consumes the ``billing`` queue.

The shared worker (:mod:`mlp.common.runtime.worker`) relays the outbox (audit events to
identity, usage events to billing) with retries and heartbeats; billing's own job kinds are added
to ``entrypoints`` below.
"""

from __future__ import annotations

import asyncio

from mlp.billing.adapters.db.tables import SCHEMA
from mlp.billing.settings import BillingSettings, billing_settings
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.worker import run_service_worker


async def run_worker(settings: BillingSettings) -> None:
    await run_service_worker(settings, "billing", SCHEMA, entrypoints={})


def main() -> None:
    settings = billing_settings()
    configure_logging("billing", settings.log_level)
    asyncio.run(run_worker(settings))


if __name__ == "__main__":
    main()

"""billing's composition root: ``create_app`` wires settings, adapters and controllers."""

from __future__ import annotations

from litestar import Litestar

from mlp.billing.adapters.db.tables import SCHEMA, metadata, received_events
from mlp.billing.settings import BillingSettings, billing_settings
from mlp.common.auth.whoami import whoami
from mlp.common.auth.wiring import identity_auth_lifespan
from mlp.common.runtime.inbox import nothing_to_purge_yet, user_deleted_receiver
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.service_app import build_service_app


def create_app(settings: BillingSettings | None = None) -> Litestar:
    settings = settings or billing_settings()
    configure_logging("billing", settings.log_level)
    return build_service_app(
        name="billing",
        package="mlp.billing",
        schema=SCHEMA,
        database_url=settings.database_url,
        db_pool_size=settings.db_pool_size,
        route_handlers=[
            whoami,
            # no code of billing writes user data yet: nothing to purge, and an event for a user who has rows
            # is refused until a real purge replaces this hook
            user_deleted_receiver("billing", received_events, on_user_deleted=nothing_to_purge_yet(metadata)),
        ],
        lifespans=[identity_auth_lifespan(settings)],
    )

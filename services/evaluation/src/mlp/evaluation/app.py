"""evaluation's composition root: ``create_app`` wires settings, adapters and controllers."""

from __future__ import annotations

from litestar import Litestar

from mlp.common.auth.whoami import whoami
from mlp.common.auth.wiring import identity_auth_lifespan
from mlp.common.runtime.inbox import nothing_to_purge_yet, user_deleted_receiver
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.service_app import build_service_app
from mlp.evaluation.adapters.db.tables import SCHEMA, metadata, received_events
from mlp.evaluation.settings import EvaluationSettings, evaluation_settings


def create_app(settings: EvaluationSettings | None = None) -> Litestar:
    settings = settings or evaluation_settings()
    configure_logging("evaluation", settings.log_level)
    return build_service_app(
        name="evaluation",
        package="mlp.evaluation",
        schema=SCHEMA,
        database_url=settings.database_url,
        db_pool_size=settings.db_pool_size,
        route_handlers=[
            whoami,
            # no code of evaluation writes user data yet: nothing to purge, and an event for a user who has rows
            # is refused until a real purge replaces this hook
            user_deleted_receiver("evaluation", received_events, on_user_deleted=nothing_to_purge_yet(metadata)),
        ],
        lifespans=[identity_auth_lifespan(settings)],
    )

"""evaluation's composition root: ``create_app`` wires settings, adapters and controllers.

Other services come in through ``Gateways`` (registry's datasets, deployments and inference;
identity's user tokens), which tests may replace; the database is wired in the lifespan.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from litestar import Litestar

from mlp.common.auth.resolver import CredentialResolver
from mlp.common.auth.whoami import whoami
from mlp.common.auth.wiring import identity_auth_lifespan
from mlp.common.runtime.inbox import user_deleted_receiver
from mlp.common.runtime.logging import configure_logging
from mlp.common.runtime.problems import domain_error_handler
from mlp.common.runtime.service_app import build_service_app, state_dependencies
from mlp.common.runtime.spend_limits import SPEND_LIMIT_HANDLERS, SpendLimits
from mlp.common.runtime.spend_wiring import spend_limits_lifespan
from mlp.evaluation.adapters.db.purge import purge_user
from mlp.evaluation.adapters.db.tables import SCHEMA, received_events
from mlp.evaluation.adapters.db.unit_of_work import SqlUnitOfWork
from mlp.evaluation.adapters.outbox import QueueOutbox
from mlp.evaluation.api.progress_streams import ProgressStreams
from mlp.evaluation.api.routes import ROUTES
from mlp.evaluation.application.criteria import Criteria
from mlp.evaluation.application.evals import Evals
from mlp.evaluation.application.ports import UnitOfWork
from mlp.evaluation.application.reports import Reports
from mlp.evaluation.application.runs import Runs
from mlp.evaluation.domain.errors import Conflict, InvalidInput, MissingScope, NotFound
from mlp.evaluation.settings import EvaluationSettings, evaluation_settings
from mlp.evaluation.wiring import Gateways, http_gateways, model_http_client

USE_CASES = ("criteria", "runs", "reports", "evals")


def create_app(
    settings: EvaluationSettings | None = None,
    *,
    gateways: Gateways | None = None,
    resolver: CredentialResolver | None = None,
    spend_limits: SpendLimits | None = None,
) -> Litestar:
    settings = settings or evaluation_settings()
    configure_logging("evaluation", settings.log_level)

    @asynccontextmanager
    async def wire(app: Litestar) -> AsyncIterator[None]:
        engine = app.state.engine

        def uow() -> UnitOfWork:
            return SqlUnitOfWork(engine, QueueOutbox)

        async with AsyncExitStack() as stack:
            if resolver is not None:
                app.state.resolver = resolver
            ports = gateways or http_gateways(await stack.enter_async_context(model_http_client(settings)), settings)
            runs = Runs(uow, ports.rows, ports.deployments, ports.tokens)
            app.state.update(
                criteria=Criteria(uow),
                runs=runs,
                evals=Evals(uow, runs),
                reports=Reports(uow, settings.max_compare_rows),
                progress_streams=ProgressStreams(
                    max_per_user=settings.max_streams_per_user,
                    progress_interval_seconds=settings.progress_interval_seconds,
                    heartbeat_seconds=settings.stream_heartbeat_seconds,
                    credential_check_seconds=settings.stream_credential_check_seconds,
                ),
            )
            yield

    auth = [] if resolver is not None else [identity_auth_lifespan(settings)]
    return build_service_app(
        name="evaluation",
        package="mlp.evaluation",
        schema=SCHEMA,
        database_url=settings.database_url,
        db_pool_size=settings.db_pool_size,
        otlp_endpoint=settings.otlp_endpoint,
        route_handlers=[
            *ROUTES,
            whoami,
            user_deleted_receiver("evaluation", received_events, on_user_deleted=purge_user),
        ],
        lifespans=[*auth, spend_limits_lifespan(settings, "evaluation", spend_limits), wire],
        dependencies=state_dependencies(*USE_CASES),
        request_max_body_size=settings.max_request_bytes,
        exception_handlers_extra={
            InvalidInput: domain_error_handler(400),
            NotFound: domain_error_handler(404),
            Conflict: domain_error_handler(409),
            **SPEND_LIMIT_HANDLERS,
            MissingScope: domain_error_handler(403),
        },
    )

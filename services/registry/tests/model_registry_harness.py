"""The model registry's use cases wired over real PostgreSQL, with a fake clock and a recording outbox."""

from __future__ import annotations

from registry_fakes import FakeClock, RecordingOutbox
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.registry.adapters.db.models_unit_of_work import SqlModelsUnitOfWork
from mlp.registry.application.model_aliases import ModelAliases
from mlp.registry.application.model_versions import ModelVersions
from mlp.registry.application.models_ports import ModelsUnitOfWork
from mlp.registry.application.registered_models import RegisteredModels


class ModelRegistry:
    """The three use cases over one engine, with a fake clock and a recording outbox."""

    def __init__(self, engine: AsyncEngine, clock: FakeClock, audit: RecordingOutbox) -> None:
        def uow(*, read_only: bool = False) -> ModelsUnitOfWork:
            return SqlModelsUnitOfWork(engine, audit.bind, read_only=read_only)

        self.clock = clock
        self.audit = audit
        self.models = RegisteredModels(uow, clock, max_page_size=100)
        self.versions = ModelVersions(uow, clock, max_page_size=100)
        self.aliases = ModelAliases(uow, clock)

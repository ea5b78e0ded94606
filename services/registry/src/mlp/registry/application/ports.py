"""The ports registry's use cases need (repositories, other services, external systems)."""

from __future__ import annotations

from mlp.registry.application.ports_files import (
    BlobStorage,
    BlobWriter,
    Clock,
    DatasetRepository,
    FileRepository,
    FilesUnitOfWork,
    RegistryOutbox,
)

__all__ = [
    "BlobStorage",
    "BlobWriter",
    "Clock",
    "DatasetRepository",
    "FileRepository",
    "FilesUnitOfWork",
    "RegistryOutbox",
]

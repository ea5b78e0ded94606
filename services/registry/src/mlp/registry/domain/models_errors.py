"""Errors of the model registry's rules; each driving adapter maps them to its own error format
(problem+json for the native API, MLflow's error JSON for the MLflow-compatible one)."""

from __future__ import annotations


class ModelRegistryError(Exception):
    code = "model-registry-error"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidModelInput(ModelRegistryError):
    code = "validation-error"


class ModelNotFound(ModelRegistryError):
    """Also what another user's model, version, alias or file looks like: never confirm it exists."""

    code = "not-found"


class ModelAlreadyExists(ModelRegistryError):
    code = "already-exists"


class ModelInUse(ModelRegistryError):
    """A deployment still serves one of the versions concerned."""

    code = "in-use"

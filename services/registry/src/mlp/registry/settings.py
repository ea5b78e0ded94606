"""registry's settings, read from ``REGISTRY_*`` (then unprefixed) environment variables."""

from __future__ import annotations

from mlp.common.runtime.settings import ServiceSettings, load_settings


class RegistrySettings(ServiceSettings, frozen=True, kw_only=True):
    port: int = 8002
    model_page_size_max: int = 1000
    """Largest page of models or versions one call returns (native ``limit``, MLflow ``max_results``)."""


def registry_settings() -> RegistrySettings:
    return load_settings(RegistrySettings, "registry")

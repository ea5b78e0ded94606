"""registry's settings, read from ``REGISTRY_*`` (then unprefixed) environment variables."""

from __future__ import annotations

from mlp.common.runtime.settings import ServiceSettings, load_settings

DEVELOPMENT_CREDENTIAL_KEY = "bWxwLWRldmVsb3BtZW50LW9ubHktbm90LXNlY3JldCE="
"""A Fernet key for development only (it is public): production sets ``REGISTRY_CREDENTIAL_KEYS``."""


class RegistrySettings(ServiceSettings, frozen=True, kw_only=True):
    port: int = 8002
    # deployments and the inference proxy
    credential_keys: str = DEVELOPMENT_CREDENTIAL_KEY
    """Fernet keys (comma-separated, the first encrypts) for upstream credentials at rest."""
    allow_internal_upstreams: bool = False
    """SSRF guard off: lets upstream URLs point at loopback / link-local addresses (development, tests)."""
    deployment_connect_timeout_seconds: float = 5.0
    deployment_timeout_seconds: float = 60.0
    deployment_max_timeout_seconds: float = 600.0
    deployment_cache_seconds: float = 2.0
    """How long a replica trusts what it read about a deployment on the inference path."""
    deployment_probe_interval_seconds: float = 30.0
    upstream_max_connections: int = 200
    """Pooled connections per upstream origin."""
    inference_log_batch_size: int = 500
    inference_log_capacity: int = 10_000
    inference_log_flush_seconds: float = 0.5
    serving_page_size_max: int = 100


def registry_settings() -> RegistrySettings:
    return load_settings(RegistrySettings, "registry")

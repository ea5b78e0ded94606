"""identity's settings, read from ``IDENTITY_*`` (then unprefixed) environment variables."""

from __future__ import annotations

from mlp.common.runtime.settings import ServiceSettings, load_settings


class IdentitySettings(ServiceSettings, frozen=True, kw_only=True):
    port: int = 8001
    token_lifetime_seconds: int = 300
    """Platform tokens live 5 minutes: the longest a revoked session's token keeps working."""
    key_rotation_days: int = 30
    session_lifetime_days: int = 30
    service_credentials: str = ""
    """Comma-separated ``mlpsvc_<service>_<secret>`` credentials the other services present."""
    firebase_project_id: str = "demo-mlp"
    api_key_env: str = "live"
    """The ``<env>`` in ``mlp_<env>_<id>_<secret>``: ``live`` or ``test``."""
    api_key_pepper: str = "dev-only-pepper-change-me"
    """Server-side secret mixed into API key digests; set a real one in production."""
    api_key_cache_seconds: float = 5.0
    """How long a replica trusts a key record it read (revocation elsewhere takes this long)."""
    firebase_cache_seconds: float = 30.0
    user_deleted_subscribers: str = (
        "registry=http://127.0.0.1:8002,evaluation=http://127.0.0.1:8003,billing=http://127.0.0.1:8004"
    )
    """Comma-separated ``name=base URL`` of the services told when a user is deleted."""


def identity_settings() -> IdentitySettings:
    return load_settings(IdentitySettings, "identity")

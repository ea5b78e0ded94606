"""identity's settings, read from ``IDENTITY_*`` (then unprefixed) environment variables."""

from __future__ import annotations

from mlp.common.runtime.settings import ServiceSettings, load_settings
from mlp.identity.domain.service_scopes import DEFAULT_SERVICE_SCOPES


class IdentitySettings(ServiceSettings, frozen=True, kw_only=True):
    port: int = 8001
    token_lifetime_seconds: int = 300
    """Platform tokens live 5 minutes: the longest a revoked session's token keeps working."""
    key_rotation_days: int = 30
    session_lifetime_days: int = 30
    firebase_recheck_seconds: int = 3600
    """At least this often a session's refresh asks Firebase whether the user is still enabled."""
    service_credentials: str = ""
    """Comma-separated ``mlpsvc_<service>_<secret>`` credentials the other services present."""
    service_scopes: str = DEFAULT_SERVICE_SCOPES
    """``service=scope scope,...``: what each service may act with for a user (see
    ``domain/service_scopes.py`` for the defaults)."""
    firebase_project_id: str = "demo-mlp"
    api_key_env: str = "live"
    """The ``<env>`` in ``mlp_<env>_<id>_<secret>``: ``live`` or ``test``."""
    api_key_pepper: str = "dev-only-pepper-change-me"
    """Server-side secret mixed into API key digests; set a real one in production."""
    credential_cache_seconds: float = 2.0
    """How long a replica trusts what it read about a key, session or user (a revocation made
    on another replica takes this long here; the services add at most 3 s: 5 s in all)."""
    firebase_cache_seconds: float = 2.0
    """How long a replica trusts Firebase's answer about an ID token (disabling at Firebase)."""
    credential_cache_entries: int = 10_000
    user_deleted_subscribers: str = (
        "registry=http://127.0.0.1:8002,evaluation=http://127.0.0.1:8003,billing=http://127.0.0.1:8004"
    )
    """Comma-separated ``name=base URL`` of the services told when a user is deleted."""


def identity_settings() -> IdentitySettings:
    return load_settings(IdentitySettings, "identity")

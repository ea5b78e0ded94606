"""identity's settings, read from ``IDENTITY_*`` (then unprefixed) environment variables."""

from __future__ import annotations

from mlp.common.runtime.settings import ServiceSettings, load_settings
from mlp.identity.domain.service_scopes import DEFAULT_SERVICE_SCOPES

DEVELOPMENT_PEPPER = "dev-only-pepper-change-me"
DEVELOPMENT_KEK = "ZGV2LW9ubHkta2VrLW5ldmVyLWluLXByb2R1Y3Rpb24="
"""Fernet key of development runs only (base64 of "dev-only-kek-never-in-production")."""


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
    api_key_pepper: str = DEVELOPMENT_PEPPER
    """Server-side secret mixed into API key digests (new keys); set a real one in production."""
    api_key_pepper_id: int = 1
    """The id (1-255) digests made with ``api_key_pepper`` carry; bump it with a new pepper."""
    api_key_previous_peppers: str = ""
    """``id=pepper,...``: earlier peppers, kept so the keys made with them still verify. Digests
    made before ids existed are pepper 0 (by default the current pepper)."""
    signing_key_kek: str = DEVELOPMENT_KEK
    """Fernet key (urlsafe base64 of 32 bytes) encrypting the signing keys' private halves at rest."""
    signing_key_previous_keks: str = ""
    """Comma-separated earlier KEKs, still able to decrypt (rotation of the KEK)."""
    credential_cache_seconds: float = 2.0
    """How long a replica trusts what it read about a key, session or user (a revocation made
    on another replica takes this long here; the services add at most 3 s: 5 s in all)."""
    firebase_cache_seconds: float = 2.0
    """How long a replica trusts Firebase's answer about an ID token (disabling at Firebase)."""
    credential_cache_entries: int = 10_000
    usage_pool_size: int = 4
    """Connections of the quota counter's own pool (one short transaction per lease): counted in
    the service's connection budget next to ``DB_POOL_SIZE`` (deploy/k8s/identity/configmap.yaml)."""
    user_deleted_subscribers: str = (
        "registry=http://127.0.0.1:8002,evaluation=http://127.0.0.1:8003,billing=http://127.0.0.1:8004"
    )
    """Comma-separated ``name=base URL`` of the services told when a user is deleted."""
    retention_operation_events_days: float = 400.0
    """The audit trail: a year and a month, so a yearly review finds the whole year."""
    retention_ended_sessions_days: float = 30.0
    """Sessions this long past their expiry or revocation (a refresh token for them is refused either way)."""
    retention_quota_months_days: float = 400.0
    """Monthly quota counters (minute counters go after a day: only the current minute counts)."""

    def peer_urls(self) -> dict[str, str]:
        subscribers = (entry.partition("=") for entry in self.user_deleted_subscribers.split(",") if entry.strip())
        return {f"USER_DELETED_SUBSCRIBERS ({name.strip()})": url.strip() for name, _, url in subscribers}


def identity_settings() -> IdentitySettings:
    return load_settings(IdentitySettings, "identity")

"""identity's settings, read from ``IDENTITY_*`` (then unprefixed) environment variables."""

from __future__ import annotations

from mlp.common.runtime.settings import ServiceSettings, load_settings


class IdentitySettings(ServiceSettings, frozen=True, kw_only=True):
    port: int = 8001
    token_lifetime_seconds: int = 300
    """Platform tokens live 5 minutes: the longest a revoked session's token keeps working."""
    key_rotation_days: int = 30
    service_credentials: str = ""
    """Comma-separated ``mlpsvc_<service>_<secret>`` credentials the other services present."""
    firebase_project_id: str = "demo-mlp"


def identity_settings() -> IdentitySettings:
    return load_settings(IdentitySettings, "identity")

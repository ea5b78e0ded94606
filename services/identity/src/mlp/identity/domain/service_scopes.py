"""What each platform service may do for a user: the scopes it may put in a delegated token.

Set with ``IDENTITY_SERVICE_SCOPES`` (``service=scope scope,service=scope``); a service not
listed may mint only its own service tokens. The defaults give each service the scopes of the
resources it owns or reads on a user's behalf, and nothing of identity's own (keys, profile).
"""

from __future__ import annotations

from mlp.common.auth.principal import scope_grants

DEFAULT_SERVICE_SCOPES = (
    "registry=models:* datasets:* tune:* inference,"
    "evaluation=evals:* models:read datasets:read inference,"
    "billing=billing:read"
)
MINT_SCOPE = "tokens:mint"
"""Held only by a service presenting its raw credential: tokens never mint tokens."""


class ServiceScopes:
    def __init__(self, allowed: dict[str, tuple[str, ...]]) -> None:
        self._allowed = allowed

    @classmethod
    def parse(cls, setting: str) -> ServiceScopes:
        allowed: dict[str, tuple[str, ...]] = {}
        for entry in filter(None, (part.strip() for part in setting.split(","))):
            service, _, scopes = entry.partition("=")
            if not service.strip().isidentifier():
                raise ValueError(f"service scopes look like service=scope scope, not {entry!r}")
            allowed[service.strip()] = tuple(scopes.split())
        return cls(allowed)

    def allowed(self, service: str) -> tuple[str, ...]:
        return self._allowed.get(service, ())

    def refused(self, service: str, wanted: tuple[str, ...]) -> list[str]:
        """The scopes of ``wanted`` that ``service`` may not act with for a user."""
        granted = self.allowed(service)
        return [w for w in wanted if w == MINT_SCOPE or not any(scope_grants(g, w) for g in granted)]

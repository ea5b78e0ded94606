"""identity's own answer to "who is calling?", checked in process (no HTTP to itself).

Service credentials are recognised here (they reach only identity's internal endpoints);
everything else goes through the same :class:`CallerVerification` as forward auth.
"""

from __future__ import annotations

from mlp.common.auth.errors import InvalidCredential
from mlp.common.auth.principal import Principal
from mlp.common.auth.resolver import bearer_token
from mlp.identity.application.caller_verification import CallerVerification
from mlp.identity.domain.service_credentials import SERVICE_CREDENTIAL_PREFIX, ServiceCredentials
from mlp.identity.domain.service_scopes import MINT_SCOPE


class IdentityCredentialResolver:
    def __init__(self, callers: CallerVerification, services: ServiceCredentials) -> None:
        self._callers = callers
        self._services = services

    def known(self, authorization: str) -> Principal | None:
        """Nothing is trusted from cache here: identity re-checks sessions and quotas each time."""
        return None

    async def resolve(self, authorization: str) -> Principal:
        token = bearer_token(authorization)
        if token.startswith(SERVICE_CREDENTIAL_PREFIX):
            service = self._services.service_for(token)
            if service is None:
                raise InvalidCredential("unknown service credential")
            return Principal.for_service(service, ("internal", MINT_SCOPE))
        return (await self._callers.resolve(authorization)).principal

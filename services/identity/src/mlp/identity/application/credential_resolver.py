"""identity's own answer to "who is calling?", checked in process.

Platform tokens are verified against identity's own key ring; service credentials against the
configured digests. API keys and Firebase ID tokens are added by their own use cases.
"""

from __future__ import annotations

from mlp.common.auth.errors import InvalidCredential
from mlp.common.auth.platform_token import PlatformTokenVerifier
from mlp.common.auth.principal import Principal
from mlp.common.auth.resolver import bearer_token
from mlp.identity.domain.service_credentials import SERVICE_CREDENTIAL_PREFIX, ServiceCredentials


class IdentityCredentialResolver:
    def __init__(self, platform_tokens: PlatformTokenVerifier, services: ServiceCredentials) -> None:
        self._platform_tokens = platform_tokens
        self._services = services

    async def resolve(self, authorization: str) -> Principal:
        token = bearer_token(authorization)
        if token.startswith(SERVICE_CREDENTIAL_PREFIX):
            service = self._services.service_for(token)
            if service is None:
                raise InvalidCredential("unknown service credential")
            return Principal.for_service(service, ("internal", "tokens:mint"))
        return await self._platform_tokens.verify(token)

"""Users' emails from identity: its ``GET /v1/me``, asked with a token acting for the user (``profile:read``).

Identity allows billing that scope (``IDENTITY_SERVICE_SCOPES``); the token is minted with billing's
own credential and reused while fresh. A user identity no longer knows (deleted) has no email.
"""

from __future__ import annotations

import uuid

import httpx
import msgspec

from mlp.common.runtime.service_tokens import ServiceTokens

PROFILE_SCOPES = ("profile:read",)


class Profile(msgspec.Struct):
    email: str | None = None


class IdentityEmails:
    def __init__(self, http: httpx.AsyncClient, identity_url: str, tokens: ServiceTokens) -> None:
        self._http = http
        self._me = identity_url.rstrip("/") + "/v1/me"
        self._tokens = tokens

    async def email_of(self, user_id: uuid.UUID) -> str | None:
        try:
            token = await self._tokens.for_user(user_id, PROFILE_SCOPES)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 404:  # no such active user
                return None
            raise
        response = await self._http.get(self._me, headers={"authorization": f"Bearer {token}"})
        response.raise_for_status()
        return msgspec.json.decode(response.content, type=Profile).email


def identity_emails(http: httpx.AsyncClient, identity_url: str, service_credential: str) -> IdentityEmails:
    return IdentityEmails(http, identity_url, ServiceTokens(http, identity_url, "billing", service_credential))

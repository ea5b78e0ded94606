"""Users' emails from identity's service-only ``GET /internal/v1/users/{id}``, asked with billing's
own service token (the email names the user's Stripe customer: the platform's need, not a request
of the user's). A user identity no longer knows (deleted) has no email.
"""

from __future__ import annotations

import uuid

import httpx
import msgspec

from mlp.common.runtime.service_tokens import ServiceTokens


class UserContact(msgspec.Struct):
    email: str | None = None


class IdentityEmails:
    def __init__(self, http: httpx.AsyncClient, identity_url: str, tokens: ServiceTokens) -> None:
        self._http = http
        self._users = identity_url.rstrip("/") + "/internal/v1/users/"
        self._tokens = tokens

    async def email_of(self, user_id: uuid.UUID) -> str | None:
        token = await self._tokens.service_token()
        response = await self._http.get(f"{self._users}{user_id}", headers={"authorization": f"Bearer {token}"})
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return msgspec.json.decode(response.content, type=UserContact).email


def identity_emails(http: httpx.AsyncClient, identity_url: str, service_credential: str) -> IdentityEmails:
    return IdentityEmails(http, identity_url, ServiceTokens(http, identity_url, "billing", service_credential))

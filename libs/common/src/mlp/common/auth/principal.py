"""The authenticated caller, as every service sees it."""

from __future__ import annotations

import uuid
from typing import Literal

import msgspec

PrincipalKind = Literal["user", "service"]

OPT_IN_SCOPES = frozenset({"usage:write"})
"""Held only when asked for by name: a session's ``*`` (or any wildcard) never implies them."""


def scope_grants(granted: str, wanted: str) -> bool:
    """True when ``granted`` covers ``wanted``: equal, ``*``, or ``datasets:*`` for ``datasets:read``
    (an opt-in scope only when named)."""
    if granted == wanted:
        return True
    if wanted in OPT_IN_SCOPES:
        return False
    if granted == "*":
        return True
    if granted.endswith(":*"):
        return wanted.startswith(granted[:-1])
    return False


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """Who is calling: a user (through a session or an API key) or a platform service.

    ``user_id`` is the key shared by every service. For a service principal it is the nil UUID
    and ``service`` names the caller. ``actor`` names the service acting for the user (a
    delegated token, the ``act`` claim): such a principal never counts as the user's own session.
    """

    user_id: uuid.UUID
    scopes: tuple[str, ...] = ()
    kind: PrincipalKind = "user"
    session_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    service: str | None = None
    actor: str | None = None

    @property
    def is_user_session(self) -> bool:
        """The user themself (signed in), not an API key nor a service acting for them."""
        return self.kind == "user" and self.api_key_id is None and self.actor is None

    def has_scope(self, wanted: str) -> bool:
        return any(scope_grants(granted, wanted) for granted in self.scopes)

    def missing_scopes(self, wanted: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(scope for scope in wanted if not self.has_scope(scope))

    @classmethod
    def for_service(cls, name: str, scopes: tuple[str, ...] = ("internal",)) -> Principal:
        return cls(user_id=uuid.UUID(int=0), scopes=scopes, kind="service", service=name)

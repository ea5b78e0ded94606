"""Who may call what, beyond what ``opt`` checks in the middleware."""

from __future__ import annotations

from typing import Any

from mlp.billing.application.event_validation import Caller
from mlp.common.auth.errors import Forbidden
from mlp.common.auth.litestar import AUTHENTICATED
from mlp.common.auth.principal import Principal

USAGE_WRITERS: dict[str, Any] = {
    **AUTHENTICATED,
    "usage_writers": "a platform service (platform metrics), or usage:write (the user's own custom.* metrics)",
}
"""``opt`` of the ingestion route: any verified caller reaches it, then :func:`usage_caller` admits a
platform service (services carry no user scopes) or a user credential with ``usage:write`` (a
scope held only when asked for by name: sessions do not carry it)."""


def usage_caller(principal: Principal) -> Caller:
    if principal.kind == "service" and principal.service:
        return Caller.service(principal.service)
    if principal.kind == "user" and principal.has_scope("usage:write"):
        return Caller.user(principal.user_id)
    raise Forbidden("missing scope(s): usage:write")

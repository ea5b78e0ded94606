"""``/v1/auth/verify``: forward auth for the gateway, and the check libs/common asks for.

200 with the principal (body), or a 401/403/429 problem. GET serves nginx's ``auth_request``;
POST serves direct callers. The platform token for the upstream (``x-platform-token``) is in
the answer only when the gateway or a service asks, with its credential in
``x-service-credential``, and does not send ``Prefer: return=minimal`` (services checking the
calls they serve send it: they forward nothing, and minting costs an RSA signature).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, route
from litestar.di import NamedDependency

from mlp.common.auth.errors import AuthError, QuotaExceeded
from mlp.common.auth.litestar import PUBLIC
from mlp.common.contracts.auth import PLATFORM_TOKEN_HEADER, SERVICE_CREDENTIAL_HEADER, VerifiedCaller
from mlp.common.runtime.problems import problem_response
from mlp.common.runtime.scope_headers import scope_header
from mlp.identity.application.caller_verification import CallerVerification


@route(
    "/v1/auth/verify",
    http_method=["GET", "POST"],
    status_code=200,
    tags=["auth"],
    opt=PUBLIC,
    summary="Verify the caller's credential (forward auth)",
)
async def verify_caller(
    request: Request[Any, Any, Any], caller_verification: NamedDependency[CallerVerification]
) -> Response[Any]:
    authorization = scope_header(request.scope, b"authorization")
    if not authorization:
        raise AuthError("missing Authorization header")
    service_credential = scope_header(request.scope, SERVICE_CREDENTIAL_HEADER.encode())
    try:
        verified, issued = await caller_verification.verify(
            authorization, service_credential, want_token=not _prefers_minimal(request)
        )
    except QuotaExceeded as refused:  # a flood of these is answered here, not by the exception machinery
        return problem_response(request, refused.status_code, refused.code, refused.detail, headers=refused.headers)
    principal = verified.principal
    body = VerifiedCaller(
        principal=principal,
        platform_token=issued.token if issued else "",
        expires_in=issued.expires_in if issued else 0,
        tokens_valid_after=verified.tokens_valid_after,
    )
    headers = {
        **verified.headers,
        "x-user-id": str(principal.user_id),
        # a quota-limited credential must come back on every call; others may be reused briefly
        "cache-control": "no-store" if verified.counted else "private, max-age=3",
    }
    if issued is not None:
        headers[PLATFORM_TOKEN_HEADER] = issued.token
    return Response(body, headers=headers)


def _prefers_minimal(request: Request[Any, Any, Any]) -> bool:
    """``Prefer: return=minimal`` (RFC 7240): the verdict without a platform token to forward."""
    prefer = scope_header(request.scope, b"prefer") or ""
    return "return=minimal" in prefer.replace(" ", "").lower()

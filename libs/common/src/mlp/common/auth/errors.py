"""Why a credential was refused; the middleware turns these into 401/403/429 problems."""

from __future__ import annotations


class AuthError(Exception):
    """A credential was missing or refused. ``code`` is the stable problem slug."""

    status_code = 401
    code = "unauthenticated"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class InvalidToken(AuthError):
    code = "invalid-token"


class InvalidCredential(AuthError):
    code = "invalid-credential"


class CredentialRevoked(AuthError):
    code = "credential-revoked"


class AccountDisabled(AuthError):
    status_code = 403
    code = "account-disabled"


class Forbidden(AuthError):
    status_code = 403
    code = "forbidden"


class QuotaExceeded(AuthError):
    status_code = 429
    code = "quota-exceeded"


class AuthUnavailable(AuthError):
    """identity could not be reached: the caller may retry."""

    status_code = 503
    code = "auth-unavailable"


ERRORS_BY_CODE: dict[str, type[AuthError]] = {
    cls.code: cls
    for cls in (
        AuthError,
        InvalidToken,
        InvalidCredential,
        CredentialRevoked,
        AccountDisabled,
        Forbidden,
        QuotaExceeded,
    )
}

"""Domain errors; the API maps each to a problem+json status."""

from __future__ import annotations


class BillingError(Exception):
    def __init__(self, code: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.field = field


class InvalidInput(BillingError):
    """422: the request is well-formed but breaks a rule."""


class NotFound(BillingError):
    """404: absent, or another user's (never confirm it exists)."""


class Conflict(BillingError):
    """409: it collides with existing state (an overlapping price book)."""


class InvalidSignature(Exception):
    """A webhook whose signature is bad, missing or too old: refused, nothing stored."""

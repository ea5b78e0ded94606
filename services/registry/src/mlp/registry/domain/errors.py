"""Errors of registry's domain; the API maps each to a problem+json status."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Carries a stable ``code`` (the problem type), a ``detail`` for people and the ``field`` at fault."""

    def __init__(self, code: str, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.field = field
        self.extra = extra


class InvalidInput(DomainError):
    """422: the request is well-formed but its content is refused."""


class NotFound(DomainError):
    """404: absent, or somebody else's."""


class TooLarge(DomainError):
    """413: over a size limit or the caller's storage quota."""

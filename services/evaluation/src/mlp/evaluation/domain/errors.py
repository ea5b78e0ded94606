"""Errors of evaluation's rules; the api layer maps each to a problem+json status."""

from __future__ import annotations


class DomainError(Exception):
    code = "domain-error"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidInput(DomainError):
    code = "validation-error"


class NotFound(DomainError):
    """Also what another user's resource looks like: never confirm it exists."""

    code = "not-found"


class Conflict(DomainError):
    code = "conflict"


class MissingScope(DomainError):
    """The caller's credential lacks a scope that what it asked for needs (a 403)."""

    code = "forbidden"

"""registry's domain errors as problem+json (with their extra members: problems, remaining_bytes, ...)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.types import ExceptionHandlersMap

from mlp.common.runtime.problems import problem_response
from mlp.registry.application.datasets import Conflict
from mlp.registry.domain.errors import DomainError, InvalidInput, NotFound, TooLarge

_STATUS = {InvalidInput: 422, NotFound: 404, TooLarge: 413, Conflict: 409}


def _handle(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    status = next((code for cls, code in _STATUS.items() if isinstance(exc, cls)), 400)
    return problem_response(request, status, exc.code, exc.detail, field=exc.field, **exc.extra)


DOMAIN_PROBLEM_HANDLERS: ExceptionHandlersMap = {DomainError: _handle}

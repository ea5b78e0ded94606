"""What every route can answer besides its success, in its OpenAPI operation.

Litestar documents a route's success and a 400 in its own ``{status_code, detail}`` shape; the
services answer RFC 9457 ``application/problem+json`` (bad input, auth, missing, conflicts,
limits, a database away), and the MLflow- and OpenAI-compatible surfaces answer their own error
JSON. Each operation documents those answers, and public routes require no credential.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Reference, Schema
from litestar.routes import HTTPRoute

from mlp.common.auth.litestar import public_path_pattern

ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 502, 503, 504)
PROBLEM_JSON = "application/problem+json"
PROBLEM = Schema(
    type=OpenAPIType.OBJECT,
    required=["type", "title", "status"],
    properties={
        "type": Schema(type=OpenAPIType.STRING),
        "title": Schema(type=OpenAPIType.STRING),
        "status": Schema(type=OpenAPIType.INTEGER),
        "detail": Schema(type=OpenAPIType.STRING),
        "instance": Schema(type=OpenAPIType.STRING),
        "field": Schema(type=OpenAPIType.STRING),
        "errors": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT)),
    },
)
COMPATIBLE_ERROR = Schema(type=OpenAPIType.OBJECT, description="the compatible API's own error JSON")


ERROR_RESPONSES = {
    "Problem": OpenAPIResponse(description="an error", content={PROBLEM_JSON: OpenAPIMediaType(schema=PROBLEM)}),
    "ProblemOrCompatibleError": OpenAPIResponse(
        description="an error",
        content={
            PROBLEM_JSON: OpenAPIMediaType(schema=PROBLEM),
            "application/json": OpenAPIMediaType(schema=COMPATIBLE_ERROR),
        },
    ),
}
"""Goes in the OpenAPI document's ``components.responses``; operations refer to them."""


def _error_responses(own_errors: bool) -> dict[str, Reference]:
    name = "ProblemOrCompatibleError" if own_errors else "Problem"
    return {str(status): Reference(ref=f"#/components/responses/{name}") for status in ERROR_STATUSES}


def _operation_class(public: bool, own_errors: bool) -> type[Operation]:
    errors = _error_responses(own_errors)

    class DocumentedOperation(Operation):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            success = {code: r for code, r in (self.responses or {}).items() if code.startswith(("1", "2", "3"))}
            self.responses = {**success, **errors}
            if public:
                self.security = []

    return DocumentedOperation


def document_errors(app: Litestar, extra_public_paths: tuple[str, ...] = ()) -> None:
    """Sets each route's operation class (the document's components carry :data:`ERROR_RESPONSES`);
    a route with its own exception handlers (a compatible API's error shape) also documents
    ``application/json`` errors."""
    public_paths = public_path_pattern(extra_public_paths)
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            public = bool(handler.opt.get("public")) or public_paths.match(route.path) is not None
            own_errors = handler.resolve_exception_handlers() != app.exception_handlers
            handler.operation_class = _operation_class(public, own_errors)

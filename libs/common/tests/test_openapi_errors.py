"""Every operation documents the problem answers it can give; compatible surfaces their own JSON too;
public routes need no credential."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request, Response, Router, get
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components

from mlp.common.auth.litestar import requires_scopes
from mlp.common.runtime.openapi_errors import ERROR_RESPONSES, document_errors


@get("/v1/things", opt=requires_scopes("things:read"))
async def things() -> list[str]:
    return []


@get("/v1/open", opt={"public": True})
async def open_route() -> str:
    return "ok"


@get("/search")
async def compatible() -> str:
    return "ok"


def own_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return Response({"error_code": "INTERNAL_ERROR", "message": "no"}, status_code=500)


def document() -> dict[str, Any]:
    app = Litestar(
        [
            things,
            open_route,
            Router("/api/2.0/mlflow", route_handlers=[compatible], exception_handlers={Exception: own_error}),
        ],
        openapi_config=OpenAPIConfig(title="t", version="1", components=Components(responses=dict(ERROR_RESPONSES))),
    )
    document_errors(app)
    schema: dict[str, Any] = app.openapi_schema.to_schema()
    return schema


def test_operations_document_problem_answers_and_keep_their_success() -> None:
    schema = document()
    responses = schema["paths"]["/v1/things"]["get"]["responses"]
    assert "200" in responses
    for status in ("400", "401", "403", "404", "422", "429", "503"):
        assert responses[status] == {"$ref": "#/components/responses/Problem"}
    problem = schema["components"]["responses"]["Problem"]["content"]
    assert set(problem) == {"application/problem+json"}
    assert "security" not in schema["paths"]["/v1/things"]["get"]


def test_a_compatible_surface_documents_its_own_error_json() -> None:
    responses = document()["paths"]["/api/2.0/mlflow/search"]["get"]["responses"]
    assert responses["400"] == {"$ref": "#/components/responses/ProblemOrCompatibleError"}


def test_public_routes_need_no_credential() -> None:
    assert document()["paths"]["/v1/open"]["get"]["security"] == []

"""OPTIONS answers with every method of the path.

Litestar makes a path's OPTIONS handler when the path's first handlers are registered; handlers
registered on the same path later (another controller, another ``@get``) are missing from its
``Allow`` header. This ``before_request`` hook answers OPTIONS from the route's final methods.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT


async def answer_options(request: Request[Any, Any, Any]) -> Response[None] | None:
    if request.method != "OPTIONS":
        return None
    template = request.scope.get("path_template")
    for route in request.app.routes:
        if isinstance(route, HTTPRoute) and route.path_format == template:
            allow = ", ".join(sorted(route.methods))
            return Response(None, status_code=HTTP_204_NO_CONTENT, headers={"Allow": allow}, media_type=MediaType.TEXT)
    return None

"""Deny by default: every route of a service must say who may call it, or the app does not start.

A route's ``opt`` carries ``PUBLIC``, ``requires_scopes(...)``, ``SERVICE_ONLY``, ``USER_SESSION``
or ``AUTHENTICATED`` (``mlp.common.auth.litestar``). Forgetting it would silently open the route
to any authenticated caller; here it stops ``create_app`` instead. Exempt: paths under the public
prefixes (health probes, OpenAPI documents, ``/.well-known``) and the OPTIONS handlers Litestar
adds itself (they answer 204 with ``Allow`` and nothing else).
"""

from __future__ import annotations

from collections.abc import Iterator

from litestar import Litestar
from litestar.handlers import BaseRouteHandler
from litestar.routes import ASGIRoute, BaseRoute, HTTPRoute, WebSocketRoute

from mlp.common.auth.litestar import declares_access, public_path_pattern

_LITESTAR_OPTIONS_HANDLER = "HTTPRoute.create_options_handler.<locals>.options_handler"


class UndeclaredAccess(RuntimeError):
    """Routes whose ``opt`` declares no access requirement."""


def require_declared_access(app: Litestar, extra_public_paths: tuple[str, ...] = ()) -> None:
    undeclared = sorted(set(_undeclared_routes(app, extra_public_paths)))
    if undeclared:
        raise UndeclaredAccess(
            "routes without an access requirement in opt (PUBLIC, requires_scopes(...), SERVICE_ONLY, "
            "USER_SESSION or AUTHENTICATED): " + ", ".join(undeclared)
        )


def _undeclared_routes(app: Litestar, extra_public_paths: tuple[str, ...]) -> Iterator[str]:
    public = public_path_pattern(extra_public_paths)
    for route in app.routes:
        if public.match(route.path):
            continue
        for handler in _handlers(route):
            if getattr(handler.fn, "__qualname__", "") == _LITESTAR_OPTIONS_HANDLER or declares_access(handler.opt):
                continue
            methods = ",".join(sorted(getattr(handler, "http_methods", ()))) or "WS"
            yield f"{methods} {route.path} ({handler.handler_name})"


def _handlers(route: BaseRoute) -> list[BaseRouteHandler]:
    if isinstance(route, HTTPRoute):
        return list(route.route_handlers)
    if isinstance(route, WebSocketRoute | ASGIRoute):
        return [route.route_handler]
    return []

"""Reading one request header straight from the ASGI scope.

On hot paths (auth middleware, forward auth, request ids) this avoids building Litestar's
``Headers`` object, which parses every header of the request.
"""

from __future__ import annotations

from litestar.types import Scope


def scope_header(scope: Scope, name: bytes) -> str | None:
    """The first value of header ``name`` (lower-case bytes), or None."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None

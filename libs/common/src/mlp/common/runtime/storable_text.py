"""Refuses text PostgreSQL cannot store, once for every route of every service.

PostgreSQL's ``text`` and ``jsonb`` reject NUL (U+0000), and a lone surrogate cannot be encoded
as UTF-8; either would reach the database and come back as a 500. This ``before_request`` hook
(installed app-wide by ``build_service_app``) checks every decoded string a handler can receive:
path parameters, query parameters, and the JSON / MessagePack / form body of routes that take
``data``. A hit is a 400 problem naming the field, before the handler runs. The parsed body is
cached on the request, so the handler's own decoding does not parse it again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import SerializationException

from mlp.common.runtime.problems import Problem

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_FORMS = (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART)


async def refuse_unstorable_text(request: Request[Any, Any, Any]) -> None:
    found = next(_unstorable_fields(request), None)
    if found is not None:
        raise _problem(*found)
    if "data" in request.route_handler.parsed_fn_signature.parameters:
        field = await _unstorable_in_body(request)
        if field is not None:
            raise _problem("body", field)


def _unstorable_fields(request: Request[Any, Any, Any]) -> Iterator[tuple[str, str]]:
    for name, value in request.path_params.items():
        if isinstance(value, str) and UNSTORABLE.search(value):
            yield "path", name
    if b"%00" in request.scope["query_string"]:  # the only way a NUL gets into a decoded query
        for name, value in request.query_params.multi_items():
            if UNSTORABLE.search(name) or UNSTORABLE.search(value):
                yield "query", name


async def _unstorable_in_body(request: Request[Any, Any, Any]) -> str | None:
    media_type = request.content_type[0]
    if media_type in _FORMS:
        form = await request.form()
        return first_unstorable({k: v.filename if isinstance(v, UploadFile) else v for k, v in form.multi_items()})
    if not await request.body():
        return None
    try:
        decoded = await (request.msgpack() if media_type == RequestEncodingType.MESSAGEPACK else request.json())
    except SerializationException:
        return None  # malformed: the handler's own decoding answers 400
    return first_unstorable(decoded)


def first_unstorable(value: Any, path: str = "") -> str | None:
    """The path (``items[2].name``) of the first string in ``value`` PostgreSQL cannot store."""
    if isinstance(value, str):
        return (path or "body") if UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and UNSTORABLE.search(key):
                return where
            if (found := first_unstorable(item, where)) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := first_unstorable(item, f"{path}[{index}]")) is not None:
                return found
    return None


def _problem(source: str, field: str) -> Problem:
    message = "contains a character that cannot be stored (NUL or a lone surrogate)"
    return Problem(
        400,
        "validation-error",
        f"{field}: {message}",
        field=field,
        extra={"errors": [{"field": field, "source": source, "message": message}]},
    )

"""A Struct refusing unknown fields is documented with ``additionalProperties: false``; others stay open."""

from __future__ import annotations

import msgspec
from litestar import Litestar, post
from litestar.params import JSONBody

from mlp.common.runtime.closed_structs import ClosedStructSchemaPlugin


class Closed(msgspec.Struct, forbid_unknown_fields=True):
    name: str


class Open(msgspec.Struct):
    name: str


@post("/closed")
async def take_closed(data: JSONBody[Closed]) -> Open:
    return Open(data.name)


def test_closed_structs_forbid_additional_properties() -> None:
    schemas = Litestar([take_closed], plugins=[ClosedStructSchemaPlugin()]).openapi_schema.to_schema()["components"]
    assert schemas["schemas"]["Closed"]["additionalProperties"] is False
    assert "additionalProperties" not in schemas["schemas"]["Open"]

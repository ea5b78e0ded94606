"""OpenAPI for msgspec Structs that refuse unknown fields: ``additionalProperties: false``.

Litestar documents every Struct as open, so a client (or schemathesis) reading the document
believes extra fields are accepted; the services' request Structs say ``forbid_unknown_fields``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import Schema
from litestar.typing import FieldDefinition

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator


class ClosedStructSchemaPlugin(StructSchemaPlugin):
    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        config = getattr(field_definition.type_, "__struct_config__", None)
        return super().is_plugin_supported_field(field_definition) and bool(config and config.forbid_unknown_fields)

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        return schema

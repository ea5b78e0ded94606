"""An OpenAI-compatible eval: a name, the schema of its items and its graders (as our criteria)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jsonschema

from mlp.evaluation.domain.errors import InvalidInput


@dataclass(frozen=True)
class Eval:
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    data_source_config: dict[str, Any]
    """OpenAI's answer shape: ``{"type": "custom", "schema": {...item and sample...}}``."""
    testing_criteria: list[dict[str, Any]]
    """The graders as given; ``criterion_ids`` holds our criterion for each, in the same order."""
    criterion_ids: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime
    metadata: dict[str, Any] = field(default_factory=dict)

    def grader_names(self) -> dict[str, tuple[str, str]]:
        """Criterion id (text) -> (grader name, grader type)."""
        return {
            str(cid): (str(g.get("name")), str(g.get("type")))
            for cid, g in zip(self.criterion_ids, self.testing_criteria, strict=True)
        }


def custom_data_source(config: Any) -> dict[str, Any]:
    """The stored (and shown) data source config of a ``custom`` one as given at creation."""
    if not isinstance(config, dict) or config.get("type") != "custom":
        raise InvalidInput("only data sources of type custom are supported", field="data_source_config.type")
    item_schema = config.get("item_schema")
    if not isinstance(item_schema, dict):
        raise InvalidInput("required: a JSON Schema object", field="data_source_config.item_schema")
    try:
        jsonschema.Draft202012Validator.check_schema(item_schema)
    except jsonschema.SchemaError as exc:
        raise InvalidInput(f"not a valid JSON Schema: {exc.message}", field="data_source_config.item_schema") from exc
    properties: dict[str, Any] = {"item": item_schema}
    if config.get("include_sample_schema"):
        properties["sample"] = {"type": "object", "properties": {"output_text": {"type": "string"}}}
    schema = {"type": "object", "properties": properties, "required": list(properties)}
    return {"type": "custom", "schema": schema}

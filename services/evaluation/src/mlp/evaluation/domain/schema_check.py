"""JSON Schema (Draft 2020-12) validation whose regular expressions go through :mod:`timed_regex`.

jsonschema matches ``pattern`` and ``patternProperties`` (and, through them, what
``additionalProperties`` leaves over) with Python's ``re``, which has no time limit; those three
keywords are replaced here by the same rules matched with the timed engine.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema
from jsonschema import ValidationError
from jsonschema.protocols import Validator

from mlp.evaluation.domain import timed_regex


@functools.lru_cache(maxsize=8)
def _validator_class(timeout: float) -> type[Validator]:
    def pattern(validator: Any, wanted: str, instance: Any, _: Mapping[str, Any]) -> Iterator[ValidationError]:
        if validator.is_type(instance, "string") and not timed_regex.search(wanted, instance, timeout):
            yield ValidationError(f"{instance!r} does not match {wanted!r}")

    def pattern_properties(
        validator: Any, patterns: Mapping[str, Any], instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        if not validator.is_type(instance, "object"):
            return
        for wanted, subschema in patterns.items():
            for name, value in instance.items():
                if timed_regex.search(wanted, name, timeout):
                    yield from validator.descend(value, subschema, path=name, schema_path=wanted)

    def additional_properties(
        validator: Any, additional: Any, instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        if not validator.is_type(instance, "object"):
            return
        declared = schema.get("properties", {})
        patterns = list(schema.get("patternProperties", {}))
        extras = [
            name
            for name in instance
            if name not in declared and not any(timed_regex.search(p, name, timeout) for p in patterns)
        ]
        if validator.is_type(additional, "object"):
            for name in extras:
                yield from validator.descend(instance[name], additional, path=name)
        elif additional is False and extras:
            yield ValidationError(f"additional properties are not allowed ({', '.join(map(repr, sorted(extras)))})")

    keywords = {
        "pattern": pattern,
        "patternProperties": pattern_properties,
        "additionalProperties": additional_properties,
    }
    extended: type[Validator] = jsonschema.validators.extend(jsonschema.Draft202012Validator, keywords)  # type: ignore[no-untyped-call]
    return extended


def is_valid(schema: Mapping[str, Any], document: Any, *, regex_timeout: float) -> bool:
    """Raises ``TimeoutError`` when one of the schema's patterns runs out of time."""
    return _validator_class(regex_timeout)(schema).is_valid(document)

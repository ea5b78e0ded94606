"""MLflow's search filter grammar: what parses into which conditions, and what is refused."""

from __future__ import annotations

import pytest

from mlp.registry.api.mlflow.filters import MODEL_KEYS, VERSION_KEYS, parse_filter
from mlp.registry.domain.model_queries import Condition
from mlp.registry.domain.models_errors import InvalidModelInput


def test_what_mlflow_skinny_sends_parses_with_backquoted_tag_keys_and_not_equal() -> None:
    parsed = parse_filter("name LIKE 'fraud-%' AND tag.`mlflow.prompt.is_prompt` != 'true'", MODEL_KEYS)
    assert parsed == (
        Condition("name", "LIKE", "fraud-%"),
        Condition("tag", "!=", "true", key="mlflow.prompt.is_prompt"),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("name = 'a b'", (Condition("name", "=", "a b"),)),
        ('name ILIKE "%X%"', (Condition("name", "ILIKE", "%X%"),)),
        ("tags.team = 'risk'", (Condition("tag", "=", "risk", key="team"),)),
        ("tags.a.b like 'x%'", (Condition("tag", "LIKE", "x%", key="a.b"),)),
        ("name = 'it\\'s'", (Condition("name", "=", "it's"),)),
    ],
)
def test_model_filters(text: str, expected: tuple[Condition, ...]) -> None:
    assert parse_filter(text, MODEL_KEYS) == expected


def test_version_filters_with_numbers_and_lists() -> None:
    parsed = parse_filter(
        "name='m' and version_number = 3 AND run_id IN ('a', 'b') AND source_path = 's3://x'", VERSION_KEYS
    )
    assert parsed == (
        Condition("name", "=", "m"),
        Condition("version", "=", "3"),
        Condition("run_id", "IN", ("a", "b")),
        Condition("source_path", "=", "s3://x"),
    )


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("name", MODEL_KEYS),
        ("name =", MODEL_KEYS),
        ("name = x", MODEL_KEYS),
        ("name = 'a' OR name = 'b'", MODEL_KEYS),
        ("name ~ 'a'", MODEL_KEYS),
        ("name IN ('a')", MODEL_KEYS),
        ("run_id = 'a'", MODEL_KEYS),
        ("colour = 'red'", VERSION_KEYS),
        ("version_number = 'abc'", VERSION_KEYS),
        ("version_number = 0", VERSION_KEYS),
        ("run_id IN ('a'", VERSION_KEYS),
        ("run_id IN 'a'", VERSION_KEYS),
        ("name = 'unterminated", MODEL_KEYS),
        ("x" * 4001, MODEL_KEYS),
    ],
)
def test_bad_filters_are_invalid_input_on_the_filter_field(text: str, keys: dict[str, tuple[str, ...]]) -> None:
    with pytest.raises(InvalidModelInput) as refused:
        parse_filter(text, keys)
    assert refused.value.field == "filter"

"""Criterion configs are validated when created, naming the field at fault."""

from __future__ import annotations

from typing import Any

import pytest

from mlp.evaluation.domain.criterion_configs import CRITERION_KINDS, config_columns, parse_config
from mlp.evaluation.domain.criterion_types import LlmJudge, NumericTolerance, RegexMatch
from mlp.evaluation.domain.errors import InvalidInput

GOOD: dict[str, dict[str, Any]] = {
    "exact_match": {"expected": "{{answer}}"},
    "contains": {"value": "Paris", "case_sensitive": False},
    "not_contains": {"value": "sorry"},
    "regex": {"pattern": r"^\d{4}-\d{2}-\d{2}$", "full_match": True},
    "json_valid": {},
    "json_schema": {"json_schema": {"type": "object", "required": ["a"]}},
    "numeric_tolerance": {"expected": "{{total}}", "absolute": 0.5},
    "text_similarity": {"expected": "{{reference}}", "metric": "rouge_l", "threshold": 0.6},
    "llm_judge": {
        "deployment": "judge-1",
        "prompt": "Q: {{input}}\nA: {{output}}\nRef: {{expected}} ({{topic}})",
        "expected": "{{answer}}",
        "labels": ["correct", "incorrect"],
        "pass_labels": ["correct"],
    },
}

JUDGE = {"deployment": "j", "prompt": "{{output}}"}


@pytest.mark.parametrize("kind", CRITERION_KINDS)
def test_every_kind_accepts_a_good_config(kind: str) -> None:
    parse_config(kind, GOOD[kind])


@pytest.mark.parametrize(
    ("kind", "config", "field"),
    [
        ("exact_match", {}, "config.expected"),
        ("exact_match", {"expected": "x", "case_sensitive": "yes"}, "config.case_sensitive"),
        ("exact_match", {"expected": "x", "colour": "red"}, "config.colour"),
        ("regex", {"pattern": "(unclosed"}, "config.pattern"),
        ("regex", {"pattern": "(a|aa)+$"}, "config.pattern"),
        ("json_schema", {"json_schema": {"type": "no-such-type"}}, "config.json_schema"),
        ("json_schema", {"json_schema": "object"}, "config.json_schema"),
        ("json_schema", {"json_schema": {"items": {"pattern": "(a|aa)+$"}}}, "config.json_schema"),
        ("json_schema", {"json_schema": {"patternProperties": {"(a|aa)+$": {}}}}, "config.json_schema"),
        ("json_schema", {"json_schema": {"pattern": "(unclosed"}}, "config.json_schema"),
        ("json_schema", {"json_schema": {"anyOf": [{"pattern": f"^{i}$"} for i in range(21)]}}, "config.json_schema"),
        ("numeric_tolerance", {"expected": "1"}, "config.absolute"),
        ("numeric_tolerance", {"expected": "1", "relative": -1}, "config.relative"),
        ("numeric_tolerance", {"expected": "1", "absolute": float("nan")}, "config.absolute"),
        ("text_similarity", {"expected": "x", "metric": "meteor"}, "config.metric"),
        ("text_similarity", {"expected": "x", "threshold": 1.5}, "config.threshold"),
        (
            "llm_judge",
            {"deployment": "j", "prompt": "no output here", "labels": ["a"], "pass_labels": ["a"]},
            "config.prompt",
        ),
        (
            "llm_judge",
            {"deployment": "j", "prompt": "{{output}}", "labels": ["a"], "pass_labels": ["b"]},
            "config.pass_labels",
        ),
        (
            "llm_judge",
            {"deployment": "j", "prompt": "{{output}}", "score_range": {"min": 5, "max": 1}, "threshold": 3},
            "config.score_range.max",
        ),
        (
            "llm_judge",
            {"deployment": "j", "prompt": "{{output}}", "score_range": {"min": 1, "max": 5}, "threshold": 9},
            "config.threshold",
        ),
        ("llm_judge", {"prompt": "{{output}}"}, "config.deployment"),
        ("bogus", {}, "type"),
    ],
)
def test_a_bad_field_is_named(kind: str, config: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_config(kind, config)
    assert raised.value.field == field


def test_a_catastrophic_pattern_is_refused_but_an_ordinary_one_is_kept() -> None:
    with pytest.raises(InvalidInput, match="backtracks"):
        parse_config("regex", {"pattern": r"^(a|aa)+$"})
    assert isinstance(parse_config("regex", {"pattern": r"^[a-z]+@[a-z]+\.com$"}), RegexMatch)


def test_templates_name_the_dataset_columns_a_criterion_needs() -> None:
    judge = parse_config("llm_judge", GOOD["llm_judge"])
    assert isinstance(judge, LlmJudge)
    assert config_columns(judge) == {"answer", "topic"}  # input/output/expected are the judge's own
    numeric = parse_config("numeric_tolerance", GOOD["numeric_tolerance"])
    assert isinstance(numeric, NumericTolerance)
    assert config_columns(numeric) == {"total"}
    assert config_columns(parse_config("contains", {"value": "Paris"})) == set()

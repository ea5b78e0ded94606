"""Each criterion type's config, validated when the criterion is created (bad field named).

Texts compared with the output (``expected``, ``value``) are templates: ``{{answer}}`` takes the
row's ``answer`` column, so one criterion serves any dataset having the columns it names.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import regex

from mlp.evaluation.domain.config_fields import ConfigFields
from mlp.evaluation.domain.criterion_types import (
    Contains,
    CriterionConfig,
    ExactMatch,
    JsonSchema,
    JsonValid,
    LlmJudge,
    NumericTolerance,
    RegexMatch,
    TextSimilarity,
)
from mlp.evaluation.domain.errors import InvalidInput
from mlp.evaluation.domain.regex_guard import refuse_catastrophic, schema_patterns
from mlp.evaluation.domain.templates import placeholders

JUDGE_NAMES = frozenset({"input", "output", "expected"})
"""Reserved names of a judge prompt: the row's input, the output judged, the expected text."""
MAX_SCORE = 1_000_000.0
MAX_SCHEMA_PATTERNS = 20
"""Regular expressions one JSON Schema may hold (each is tried on adversarial inputs at creation)."""


def _exact(f: ConfigFields) -> ExactMatch:
    return ExactMatch(
        f.text("expected"), f.flag("case_sensitive", True), f.flag("strip", True), f.flag("negate", False)
    )


def _contains(f: ConfigFields) -> Contains:
    return Contains(f.text("value"), f.flag("case_sensitive", True))


def _checked_pattern(pattern: str, field: str) -> None:
    try:
        compiled = regex.compile(pattern)
    except regex.error as exc:
        raise InvalidInput(f"not a valid regular expression: {exc}", field=field) from exc
    refuse_catastrophic(compiled, pattern, field=field)


def _regex(f: ConfigFields) -> RegexMatch:
    pattern = f.text("pattern", max_length=1000)
    _checked_pattern(pattern, f.at("pattern"))
    return RegexMatch(pattern, f.flag("ignore_case", False), f.flag("full_match", False))


def _json_schema(f: ConfigFields) -> JsonSchema:
    schema = f.mapping("json_schema")
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise InvalidInput(f"not a valid JSON Schema: {exc.message}", field=f.at("json_schema")) from exc
    patterns = schema_patterns(schema)
    if len(patterns) > MAX_SCHEMA_PATTERNS:
        raise InvalidInput(f"at most {MAX_SCHEMA_PATTERNS} patterns", field=f.at("json_schema"))
    for pattern in patterns:
        _checked_pattern(pattern, f.at("json_schema"))
    return JsonSchema(schema)


def _numeric(f: ConfigFields) -> NumericTolerance:
    absolute = f.optional_number("absolute", low=0, high=1e12)
    relative = f.optional_number("relative", low=0, high=1e6)
    if absolute is None and relative is None:
        raise InvalidInput("give absolute, relative or both", field=f.at("absolute"))
    return NumericTolerance(f.text("expected"), absolute, relative)


def _similarity(f: ConfigFields) -> TextSimilarity:
    metric = f.choice("metric", ("fuzzy_ratio", "bleu", "rouge_l"), "fuzzy_ratio")
    return TextSimilarity(f.text("expected"), metric, f.number("threshold", low=0, high=1, default=0.8))


def _judge(f: ConfigFields) -> LlmJudge:
    deployment = f.text("deployment", max_length=200)
    prompt = f.text("prompt")
    if "output" not in placeholders(prompt):
        raise InvalidInput("the prompt must show the judged answer as {{output}}", field=f.at("prompt"))
    expected = f.text("expected") if f.has("expected") else None
    if f.has("labels"):
        if f.has("score_range"):
            raise InvalidInput("give labels or score_range, not both", field=f.at("score_range"))
        labels, pass_labels = f.texts("labels"), f.texts("pass_labels")
        unknown = set(pass_labels) - set(labels)
        if unknown:
            raise InvalidInput(f"not among labels: {', '.join(sorted(unknown))}", field=f.at("pass_labels"))
        return LlmJudge(deployment, prompt, expected, labels=labels, pass_labels=pass_labels)
    bounds = ConfigFields(f.mapping("score_range"), {"min", "max"}, prefix=f.at("score_range"))
    low = bounds.number("min", low=-MAX_SCORE, high=MAX_SCORE)
    high = bounds.number("max", low=-MAX_SCORE, high=MAX_SCORE)
    if high <= low:
        raise InvalidInput("max must be greater than min", field=bounds.at("max"))
    threshold = f.number("threshold", low=low, high=high)
    return LlmJudge(deployment, prompt, expected, score_min=low, score_max=high, threshold=threshold)


_PARSERS: dict[str, tuple[set[str], Any]] = {
    "exact_match": ({"expected", "case_sensitive", "strip", "negate"}, _exact),
    "contains": ({"value", "case_sensitive"}, _contains),
    "not_contains": ({"value", "case_sensitive"}, _contains),
    "regex": ({"pattern", "ignore_case", "full_match"}, _regex),
    "json_valid": (set(), lambda f: JsonValid()),
    "json_schema": ({"json_schema"}, _json_schema),
    "numeric_tolerance": ({"expected", "absolute", "relative"}, _numeric),
    "text_similarity": ({"expected", "metric", "threshold"}, _similarity),
    "llm_judge": ({"deployment", "prompt", "expected", "labels", "pass_labels", "score_range", "threshold"}, _judge),
}
CRITERION_KINDS = tuple(_PARSERS)


def parse_config(kind: str, raw: Any) -> CriterionConfig:
    if kind not in _PARSERS:
        raise InvalidInput(f"must be one of: {', '.join(CRITERION_KINDS)}", field="type")
    allowed, parse = _PARSERS[kind]
    config: CriterionConfig = parse(ConfigFields(raw if raw is not None else {}, allowed))
    return config


def config_columns(config: CriterionConfig) -> set[str]:
    """The dataset columns a config's templates name (reserved judge names excluded)."""
    names: set[str] = set()
    for template in (getattr(config, "expected", None), getattr(config, "value", None)):
        if template:
            names |= placeholders(template)
    if isinstance(config, LlmJudge):
        names |= placeholders(config.prompt) - JUDGE_NAMES
    return names

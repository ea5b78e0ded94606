"""The deterministic criteria, judged on one output (the LLM judge lives in ``judge``).

``json_schema`` and ``text_similarity`` may cost much CPU on hostile input: they are the ones a
worker sends to its check processes (:func:`runs_apart`), where a runaway one can be stopped.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlp.evaluation.domain import schema_check, timed_regex
from mlp.evaluation.domain.criterion_types import (
    Contains,
    CriterionConfig,
    ExactMatch,
    JsonSchema,
    JsonValid,
    NumericTolerance,
    RegexMatch,
    TextSimilarity,
)
from mlp.evaluation.domain.similarity import METRICS
from mlp.evaluation.domain.templates import render
from mlp.evaluation.domain.verdicts import Verdict


@dataclass(frozen=True)
class CheckLimits:
    regex_timeout_seconds: float = 0.1
    max_similarity_chars: int = 100_000
    """Longest text (output or expected) a similarity metric compares; longer is an ``input_too_large`` verdict."""


def runs_apart(config: CriterionConfig) -> bool:
    """True for the criteria judged in a check process (CPU-heavy on hostile input)."""
    return isinstance(config, JsonSchema | TextSimilarity)


def _fold(text: str, case_sensitive: bool) -> str:
    return text if case_sensitive else text.casefold()


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _numeric(config: NumericTolerance, output: str, row: Mapping[str, Any]) -> Verdict:
    got, want = _number(output), _number(render(config.expected, row))
    if want is None:
        return Verdict.failed("expected value is not a number")
    if got is None:
        return Verdict.of(False)
    error = abs(got - want)
    within_absolute = config.absolute is not None and error <= config.absolute
    within_relative = config.relative is not None and error <= config.relative * abs(want)
    return Verdict(passed=within_absolute or within_relative, score=error)


def _regex(config: RegexMatch, output: str, timeout: float) -> Verdict:
    compiled = timed_regex.compiled(config.pattern, config.ignore_case)
    matcher = compiled.fullmatch if config.full_match else compiled.search
    try:
        return Verdict.of(matcher(output, timeout=timeout) is not None)
    except TimeoutError:
        return Verdict.failed("regex_timeout")


def _parsed_json(output: str) -> tuple[bool, Any]:
    try:
        return True, json.loads(output)
    except (ValueError, RecursionError):
        return False, None


def _json_schema(config: JsonSchema, output: str, limits: CheckLimits) -> Verdict:
    valid, document = _parsed_json(output)
    if not valid:
        return Verdict.of(False)
    try:
        valid = schema_check.is_valid(config.json_schema, document, regex_timeout=limits.regex_timeout_seconds)
    except TimeoutError:
        return Verdict.failed("regex_timeout")
    return Verdict.of(valid)


def _similarity(config: TextSimilarity, output: str, row: Mapping[str, Any], limits: CheckLimits) -> Verdict:
    expected = render(config.expected, row)
    if max(len(output), len(expected)) > limits.max_similarity_chars:
        return Verdict.failed("input_too_large")
    score = METRICS[config.metric](output, expected)
    return Verdict(passed=score >= config.threshold, score=score)


def check(
    kind: str, config: CriterionConfig, output: str, row: Mapping[str, Any], limits: CheckLimits = CheckLimits()
) -> Verdict:
    """Judge ``output`` against a row (``row`` fills the config's templates)."""
    if isinstance(config, ExactMatch):
        got, want = output, render(config.expected, row)
        if config.strip:
            got, want = got.strip(), want.strip()
        equal = _fold(got, config.case_sensitive) == _fold(want, config.case_sensitive)
        return Verdict.of(equal != config.negate)
    if isinstance(config, Contains):
        found = _fold(render(config.value, row), config.case_sensitive) in _fold(output, config.case_sensitive)
        return Verdict.of(found if kind == "contains" else not found)
    if isinstance(config, RegexMatch):
        return _regex(config, output, limits.regex_timeout_seconds)
    if isinstance(config, JsonValid):
        return Verdict.of(_parsed_json(output)[0])
    if isinstance(config, JsonSchema):
        return _json_schema(config, output, limits)
    if isinstance(config, NumericTolerance):
        return _numeric(config, output, row)
    if isinstance(config, TextSimilarity):
        return _similarity(config, output, row, limits)
    raise ValueError(f"{kind} is not judged here")

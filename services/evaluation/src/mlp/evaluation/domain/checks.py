"""The deterministic criteria, judged on one output (the LLM judge lives in ``judge``)."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from typing import Any

import jsonschema
import regex

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


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str, ignore_case: bool) -> regex.Pattern[str]:
    """Compiled once per pattern (the module's own cache lookup costs more than the match)."""
    return regex.compile(pattern, flags=regex.IGNORECASE if ignore_case else 0)


def _regex(config: RegexMatch, output: str, timeout: float) -> Verdict:
    compiled = _compiled(config.pattern, config.ignore_case)
    matcher = compiled.fullmatch if config.full_match else compiled.search
    try:
        return Verdict.of(matcher(output, timeout=timeout) is not None)
    except TimeoutError:
        return Verdict.failed("regex_timeout")


def _json_schema(config: JsonSchema, output: str) -> Verdict:
    try:
        document = json.loads(output)
    except ValueError:
        return Verdict.of(False)
    return Verdict.of(jsonschema.Draft202012Validator(config.json_schema).is_valid(document))


def _valid_json(output: str) -> bool:
    try:
        json.loads(output)
    except ValueError:
        return False
    return True


def check(
    kind: str, config: CriterionConfig, output: str, row: Mapping[str, Any], *, regex_timeout: float = 0.1
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
        return _regex(config, output, regex_timeout)
    if isinstance(config, JsonValid):
        return Verdict.of(_valid_json(output))
    if isinstance(config, JsonSchema):
        return _json_schema(config, output)
    if isinstance(config, NumericTolerance):
        return _numeric(config, output, row)
    if isinstance(config, TextSimilarity):
        score = METRICS[config.metric](output, render(config.expected, row))
        return Verdict(passed=score >= config.threshold, score=score)
    raise ValueError(f"{kind} is not judged here")

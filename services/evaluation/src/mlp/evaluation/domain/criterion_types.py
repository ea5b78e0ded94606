"""The parsed config of each criterion type (what ``criterion_configs`` makes of the JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ExactMatch:
    expected: str
    case_sensitive: bool = True
    strip: bool = True
    negate: bool = False
    """Pass when the output differs (OpenAI's string_check ``ne``)."""


@dataclass(frozen=True)
class Contains:
    value: str
    case_sensitive: bool = True


@dataclass(frozen=True)
class RegexMatch:
    pattern: str
    ignore_case: bool = False
    full_match: bool = False


@dataclass(frozen=True)
class JsonValid:
    pass


@dataclass(frozen=True)
class JsonSchema:
    json_schema: dict[str, Any]


@dataclass(frozen=True)
class NumericTolerance:
    expected: str
    absolute: float | None = None
    relative: float | None = None


@dataclass(frozen=True)
class TextSimilarity:
    expected: str
    metric: str = "fuzzy_ratio"
    threshold: float = 0.8


@dataclass(frozen=True)
class LlmJudge:
    deployment: str
    prompt: str
    expected: str | None = None
    labels: tuple[str, ...] = ()
    pass_labels: tuple[str, ...] = ()
    score_min: float | None = None
    score_max: float | None = None
    threshold: float | None = None


CriterionConfig = (
    ExactMatch | Contains | RegexMatch | JsonValid | JsonSchema | NumericTolerance | TextSimilarity | LlmJudge
)

"""OpenAI Evals' testing criteria (graders) as criteria of ours, and their templates as ours.

OpenAI templates name ``{{item.<field>}}`` (the data row) and ``{{sample.output_text}}`` (the
output judged); ours name ``{{<column>}}`` and ``{{output}}``. string_check and text_similarity
graders judge their ``input``: the sample (a model's output, or a JSONL line's ``sample``) or an
item field, which then becomes the run's predictions column; all graders of an eval must agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlp.evaluation.domain.config_fields import MAX_TEXT
from mlp.evaluation.domain.criterion_configs import parse_config
from mlp.evaluation.domain.errors import InvalidInput
from mlp.evaluation.domain.templates import spans, substitute

GRADER_TYPES = ("string_check", "text_similarity", "label_model", "score_model")
SAMPLE_OUTPUT = "sample.output_text"
_OPERATIONS = {"eq": ("exact_match", {"strip": False}), "ne": ("exact_match", {"strip": False, "negate": True}),
               "like": ("contains", {}), "ilike": ("contains", {"case_sensitive": False})}  # fmt: skip
_METRICS = {"fuzzy_match": "fuzzy_ratio", "bleu": "bleu", "rouge_l": "rouge_l"}


def _our_name(name: str) -> str:
    return "{{output}}" if name == SAMPLE_OUTPUT else "{{" + name.removeprefix("item.") + "}}"


def ours(template: str) -> str:
    """The template in our names; callers bound its length first (the scan is linear anyway)."""
    return substitute(template, _our_name)


def bounded_text(value: Any, field: str) -> str:
    """A non-empty string of at most ``MAX_TEXT`` characters, checked before it is parsed."""
    if not isinstance(value, str) or not value:
        raise InvalidInput("required: a non-empty string", field=field)
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"at most {MAX_TEXT} characters", field=field)
    return value


@dataclass(frozen=True)
class TranslatedGrader:
    name: str
    kind: str
    config: dict[str, Any]
    judged: str
    """What it judges: ``sample.output_text`` or an item field."""


def _text(grader: dict[str, Any], key: str, at: str) -> str:
    return bounded_text(grader.get(key), f"{at}.{key}")


def _judged(grader: dict[str, Any], at: str) -> str:
    text = _text(grader, "input", at).strip()
    found = list(spans(text))
    name = found[0][2] if len(found) == 1 and found[0][:2] == (0, len(text)) else ""
    if name != SAMPLE_OUTPUT and not (name.startswith("item.") and len(name) > len("item.")):
        raise InvalidInput("must be {{sample.output_text}} or one {{item.<field>}}", field=f"{at}.input")
    return name.removeprefix("item.")


def _prompt(grader: dict[str, Any], at: str) -> str:
    messages = grader.get("input")
    if not isinstance(messages, list) or not messages:
        raise InvalidInput("required: a list of messages", field=f"{at}.input")
    parts = []
    for i, message in enumerate(messages):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, str):
            raise InvalidInput("only text content is supported", field=f"{at}.input[{i}].content")
        parts.append(content)
    return ours(bounded_text("\n\n".join(parts), f"{at}.input"))


def translate(grader: Any, index: int) -> TranslatedGrader:
    at = f"testing_criteria[{index}]"
    if not isinstance(grader, dict) or grader.get("type") not in GRADER_TYPES:
        raise InvalidInput(f"type must be one of: {', '.join(GRADER_TYPES)}", field=f"{at}.type")
    name = _text(grader, "name", at)
    kind, config, judged = _translate(grader, at)
    try:
        parse_config(kind, config)
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field=at) from exc
    return TranslatedGrader(name, kind, config, judged)


def _translate(grader: dict[str, Any], at: str) -> tuple[str, dict[str, Any], str]:
    kind = grader["type"]
    if kind == "string_check":
        operation = grader.get("operation")
        if operation not in _OPERATIONS:
            raise InvalidInput(f"must be one of: {', '.join(_OPERATIONS)}", field=f"{at}.operation")
        ours_kind, extra = _OPERATIONS[operation]
        key = "expected" if ours_kind == "exact_match" else "value"
        return ours_kind, {key: ours(_text(grader, "reference", at)), **extra}, _judged(grader, at)
    if kind == "text_similarity":
        metric = grader.get("evaluation_metric")
        if metric not in _METRICS:
            raise InvalidInput(f"supported: {', '.join(_METRICS)}", field=f"{at}.evaluation_metric")
        threshold = grader.get("pass_threshold")
        config = {"expected": ours(_text(grader, "reference", at)), "metric": _METRICS[metric], "threshold": threshold}
        return "text_similarity", config, _judged(grader, at)
    judge: dict[str, Any] = {"deployment": _text(grader, "model", at), "prompt": _prompt(grader, at)}
    if kind == "label_model":
        judge.update(labels=grader.get("labels"), pass_labels=grader.get("passing_labels"))
        return "llm_judge", judge, SAMPLE_OUTPUT
    low, high = grader.get("range") or [0, 1]
    threshold = grader.get("pass_threshold")
    judge.update(score_range={"min": low, "max": high}, threshold=(low + high) / 2 if threshold is None else threshold)
    return "llm_judge", judge, SAMPLE_OUTPUT


def judged_column(graders: list[TranslatedGrader]) -> str:
    """The one thing every grader judges (``sample.output_text`` or an item field)."""
    judged = {g.judged for g in graders if g.kind != "llm_judge"} or {SAMPLE_OUTPUT}
    if len(judged) > 1:
        raise InvalidInput("every grader must judge the same input", field="testing_criteria")
    return judged.pop()

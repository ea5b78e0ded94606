"""OpenAI graders and run data sources translated to our criteria and runs."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mlp.evaluation.domain.errors import InvalidInput
from mlp.evaluation.domain.openai_graders import judged_column, ours, translate
from mlp.evaluation.domain.openai_runs import run_source

SAMPLE = "{{sample.output_text}}"


def test_templates_become_ours() -> None:
    assert ours("Q: {{ item.question }} A: {{sample.output_text}}") == "Q: {{question}} A: {{output}}"


@pytest.mark.parametrize(
    ("grader", "kind", "config"),
    [
        ({"type": "string_check", "operation": "eq", "reference": "{{item.a}}"}, "exact_match",
         {"expected": "{{a}}", "strip": False}),
        ({"type": "string_check", "operation": "ne", "reference": "x"}, "exact_match",
         {"expected": "x", "strip": False, "negate": True}),
        ({"type": "string_check", "operation": "ilike", "reference": "x"}, "contains",
         {"value": "x", "case_sensitive": False}),
        ({"type": "text_similarity", "evaluation_metric": "rouge_l", "reference": "{{item.a}}", "pass_threshold": 0.4},
         "text_similarity", {"expected": "{{a}}", "metric": "rouge_l", "threshold": 0.4}),
    ],
)  # fmt: skip
def test_checks_translate(grader: dict[str, Any], kind: str, config: dict[str, Any]) -> None:
    translated = translate({"name": "g", "input": SAMPLE, **grader}, 0)
    assert (translated.kind, translated.config, translated.judged) == (kind, config, "sample.output_text")


def test_model_graders_become_judges() -> None:
    messages = [{"role": "system", "content": "Grade."}, {"role": "user", "content": f"{{{{item.q}}}} -> {SAMPLE}"}]
    label = translate({"type": "label_model", "name": "l", "model": "judge", "input": messages,
                       "labels": ["good", "bad"], "passing_labels": ["good"]}, 0)  # fmt: skip
    assert label.kind == "llm_judge"
    assert label.config["prompt"] == "Grade.\n\n{{q}} -> {{output}}"
    score = translate({"type": "score_model", "name": "s", "model": "judge", "input": messages, "range": [1, 5]}, 1)
    assert (score.config["score_range"], score.config["threshold"]) == ({"min": 1, "max": 5}, 3)


@pytest.mark.parametrize(
    ("grader", "field"),
    [
        ({"type": "python", "name": "p"}, "testing_criteria[0].type"),
        ({"type": "string_check", "name": "s", "input": SAMPLE, "reference": "x", "operation": "regex"},
         "testing_criteria[0].operation"),
        ({"type": "string_check", "name": "s", "input": "{{item.a}} and {{item.b}}", "reference": "x",
          "operation": "eq"}, "testing_criteria[0].input"),
        ({"type": "text_similarity", "name": "t", "input": SAMPLE, "reference": "x", "evaluation_metric": "cosine",
          "pass_threshold": 1}, "testing_criteria[0].evaluation_metric"),
        ({"type": "label_model", "name": "l", "model": "m", "input": [{"role": "user", "content": [1]}],
          "labels": ["a"], "passing_labels": ["a"]}, "testing_criteria[0].input[0].content"),
    ],
)  # fmt: skip
def test_unsupported_graders_name_the_field(grader: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        translate(grader, 0)
    assert raised.value.field == field


def test_graders_must_judge_the_same_thing() -> None:
    on_sample = translate(
        {"type": "string_check", "name": "a", "input": SAMPLE, "reference": "x", "operation": "eq"}, 0
    )
    on_item = translate({"type": "string_check", "name": "b", "input": "{{item.p}}", "reference": "x",
                         "operation": "eq"}, 1)  # fmt: skip
    assert judged_column([on_item]) == "p"
    with pytest.raises(InvalidInput):
        judged_column([on_sample, on_item])


def test_run_data_sources() -> None:
    data = str(uuid.uuid4())
    jsonl = run_source({"type": "jsonl", "source": {"type": "file_id", "id": data}}, "sample.output_text")
    assert (jsonl.target.source, jsonl.target.predictions_column) == ("predictions", "sample.output_text")
    template = [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "{{item.q}}"}]
    completions = run_source(
        {"type": "completions", "source": {"type": "file_id", "id": data}, "model": "m",
         "input_messages": {"type": "template", "template": template},
         "sampling_params": {"max_completion_tokens": 20, "temperature": 0}},
        "sample.output_text",
    )  # fmt: skip
    target = completions.target
    assert (target.deployment, target.system_prompt, target.prompt_template) == ("m", "Be brief.", "{{q}}")
    assert (target.max_tokens, target.temperature) == (20, 0)
    for bad, field in (
        ({"type": "responses"}, "data_source.type"),
        ({"type": "jsonl", "source": {"type": "file_content", "content": []}}, "data_source.source.type"),
        ({"type": "jsonl", "source": {"type": "file_id", "id": "file-abc"}}, "data_source.source.id"),
        ({"type": "completions", "source": {"type": "file_id", "id": data}}, "data_source.model"),
    ):
        with pytest.raises(InvalidInput) as raised:
            run_source(bad, "sample.output_text")
        assert raised.value.field == field

"""Scoring functions: each criterion type on passing and failing outputs."""

from __future__ import annotations

import time
from typing import Any

import pytest

from mlp.evaluation.domain.checks import CheckLimits, check
from mlp.evaluation.domain.criterion_configs import parse_config
from mlp.evaluation.domain.criterion_types import LlmJudge, RegexMatch
from mlp.evaluation.domain.judge import judge_prompt, read_judgement
from mlp.evaluation.domain.similarity import bleu, fuzzy_ratio, rouge_l

REFERENCE = {"expected": "{{reference}}"}
ROW = {"answer": "Paris", "total": 12.5, "reference": "the cat sat on the mat"}


def verdict(kind: str, config: dict[str, Any], output: str) -> bool:
    return check(kind, parse_config(kind, config), output, ROW).passed


@pytest.mark.parametrize(
    ("kind", "config", "good", "bad"),
    [
        ("exact_match", {"expected": "{{answer}}"}, " Paris\n", "paris"),
        ("exact_match", {"expected": "{{answer}}", "case_sensitive": False}, "PARIS", "Lyon"),
        ("contains", {"value": "{{answer}}"}, "It is Paris.", "It is Lyon."),
        ("not_contains", {"value": "sorry", "case_sensitive": False}, "Paris", "Sorry, I can't"),
        ("regex", {"pattern": r"\d{3}"}, "code 123", "code 12"),
        ("regex", {"pattern": r"[a-z]+", "full_match": True, "ignore_case": True}, "Paris", "Paris!"),
        ("json_valid", {}, '{"a": 1}', "{a: 1}"),
        ("json_schema", {"json_schema": {"type": "object", "required": ["a"]}}, '{"a": 1}', '{"b": 1}'),
        ("numeric_tolerance", {"expected": "{{total}}", "absolute": 0.1}, "12.45", "12.7"),
        ("numeric_tolerance", {"expected": "{{total}}", "relative": 0.1}, "13.5", "14"),
        ("numeric_tolerance", {"expected": "{{total}}", "absolute": 1}, "12", "twelve"),
        (
            "text_similarity",
            {"expected": "{{reference}}", "metric": "rouge_l", "threshold": 0.7},
            "the cat sat on a mat",
            "dogs bark",
        ),
        (
            "text_similarity",
            {"expected": "{{reference}}", "metric": "bleu", "threshold": 0.5},
            "the cat sat on the mat",
            "a dog",
        ),
        ("text_similarity", {"expected": "{{answer}}", "threshold": 0.8}, "Pariss", "London"),
    ],
)
def test_each_check_passes_the_good_output_and_fails_the_bad(
    kind: str, config: dict[str, Any], good: str, bad: str
) -> None:
    assert verdict(kind, config, good)
    assert not verdict(kind, config, bad)


def test_similarity_scores_are_in_range_and_exact_for_identical_texts() -> None:
    text = "the quick brown fox jumps over the lazy dog"
    assert bleu(text, text) == pytest.approx(1.0)
    assert rouge_l(text, text) == pytest.approx(1.0)
    assert fuzzy_ratio(text, text) == 1.0
    assert 0 < bleu("the quick brown fox", text) < 1
    # LCS "the brown dog" = 3 tokens: precision 3/3, recall 3/9, F1 0.5
    assert rouge_l("the brown dog", text) == pytest.approx(0.5)
    assert bleu("", text) == 0.0


def test_a_slow_pattern_times_out_per_row_instead_of_hanging() -> None:
    slow = RegexMatch(r"^(a|aa)+$")  # refused at creation; here as if it had slipped through
    started = time.monotonic()
    result = check("regex", slow, "a" * 60 + "!", {}, CheckLimits(regex_timeout_seconds=0.05))
    assert time.monotonic() - started < 1
    assert not result.passed
    assert result.error == "regex_timeout"


def test_the_judge_reads_labels_and_scores() -> None:
    labels = LlmJudge(
        "j", "{{input}} => {{output}} vs {{expected}}", "{{answer}}", ("correct", "incorrect"), ("correct",)
    )
    prompt = judge_prompt(labels, ROW, "Capital of France?", "Paris")
    assert prompt.startswith("Capital of France? => Paris vs Paris")
    assert "correct, incorrect" in prompt
    assert read_judgement(labels, "Incorrect. The answer is wrong", 7).label == "incorrect"
    assert read_judgement(labels, "correct", 7).passed
    assert read_judgement(labels, "no idea", 7).error == "judge_unparseable"
    scores = LlmJudge("j", "{{output}}", score_min=1, score_max=5, threshold=4)
    assert read_judgement(scores, "Score: 4.5", 3).passed
    assert not read_judgement(scores, "2", 3).passed
    assert read_judgement(scores, "9", 3).error == "judge_unparseable"

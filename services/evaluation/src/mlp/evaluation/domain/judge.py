"""The LLM judge: the prompt it is sent and how its answer becomes a verdict.

The judge is told to answer with one of the labels (or a number in the score range) on the
first line; the first label (longest first, case-insensitive) or number found in its answer is
taken, so a judge that adds a sentence of reasoning still counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mlp.evaluation.domain.criterion_types import LlmJudge
from mlp.evaluation.domain.templates import render
from mlp.evaluation.domain.verdicts import Verdict

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def judge_prompt(config: LlmJudge, row: Mapping[str, Any], input_text: str, output: str) -> str:
    expected = render(config.expected, row) if config.expected else ""
    body = render(config.prompt, {**row, "input": input_text, "output": output, "expected": expected})
    if config.labels:
        return f"{body}\n\nAnswer with exactly one of: {', '.join(config.labels)}."
    return f"{body}\n\nAnswer with a single number between {config.score_min:g} and {config.score_max:g}."


def read_judgement(config: LlmJudge, answer: str, judge_tokens: int) -> Verdict:
    if config.labels:
        lowered = answer.casefold()
        found = [(lowered.find(label.casefold()), label) for label in sorted(config.labels, key=len, reverse=True)]
        hits = sorted((position, label) for position, label in found if position >= 0)
        if not hits:
            return Verdict.failed("judge_unparseable", judge_tokens)
        label = hits[0][1]
        passed = label in config.pass_labels
        return Verdict(passed=passed, score=1.0 if passed else 0.0, label=label, judge_tokens=judge_tokens)
    match = NUMBER.search(answer)
    assert config.score_min is not None
    assert config.score_max is not None
    assert config.threshold is not None
    if match is None or not config.score_min <= float(match.group()) <= config.score_max:
        return Verdict.failed("judge_unparseable", judge_tokens)
    score = float(match.group())
    return Verdict(passed=score >= config.threshold, score=score, judge_tokens=judge_tokens)

"""Checks a hostile row cannot turn into a stuck worker (issue 17): JSON Schema patterns through the
timed regex engine, similarity bounded by input size in compiled code, linear template parsing, and
the check processes' hard time and memory limits."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from mlp.evaluation.adapters.check_processes import ProcessChecks, check_processes
from mlp.evaluation.domain.check_batch import CheckBatch
from mlp.evaluation.domain.checks import CheckLimits, check
from mlp.evaluation.domain.criterion_types import JsonSchema, JsonValid, TextSimilarity
from mlp.evaluation.domain.openai_graders import ours
from mlp.evaluation.domain.similarity import rouge_l
from mlp.evaluation.domain.templates import placeholders, render

SLOW = r"^(a|aa)+$"
"""Backtracks exponentially in ``re`` and in ``regex``: 26 a's then a mismatch take seconds in ``re``."""


def schema_verdict(schema: dict[str, object], document: object) -> tuple[bool, str | None]:
    verdict = check("json_schema", JsonSchema(schema), json.dumps(document), {}, CheckLimits(0.05))
    return verdict.passed, verdict.error


def test_json_schema_patterns_run_under_the_regex_timeout() -> None:
    started = time.monotonic()
    assert schema_verdict({"type": "string", "pattern": SLOW}, "a" * 60 + "!") == (False, "regex_timeout")
    hostile_keys = {"patternProperties": {SLOW: {"type": "integer"}}}
    assert schema_verdict(hostile_keys, {"a" * 60 + "!": 1}) == (False, "regex_timeout")
    leftover = {"patternProperties": {"^x": {}}, "additionalProperties": {"type": "string"}, "properties": {}}
    assert schema_verdict({**leftover, "patternProperties": {SLOW: {}}}, {"a" * 60 + "!": "s"}) == (
        False,
        "regex_timeout",
    )
    assert time.monotonic() - started < 2


def test_json_schema_patterns_keep_their_meaning() -> None:
    assert schema_verdict({"type": "string", "pattern": "^[a-z]+$"}, "abc") == (True, None)
    assert schema_verdict({"type": "string", "pattern": "^[a-z]+$"}, "ab1") == (False, None)
    typed = {"patternProperties": {"^n_": {"type": "integer"}}}
    assert schema_verdict(typed, {"n_a": 1, "other": "x"}) == (True, None)
    assert schema_verdict(typed, {"n_a": "1"}) == (False, None)
    closed = {"properties": {"id": {}}, "patternProperties": {"^x-": {}}, "additionalProperties": False}
    assert schema_verdict(closed, {"id": 1, "x-trace": 2}) == (True, None)
    assert schema_verdict(closed, {"id": 1, "extra": 2}) == (False, None)
    assert schema_verdict({"additionalProperties": {"type": "integer"}}, {"a": 1, "b": "2"}) == (False, None)


def test_rouge_l_is_the_lcs_f1_and_fast_on_long_texts() -> None:
    assert rouge_l("the brown dog", "the quick brown fox jumps over the lazy dog") == pytest.approx(0.5)
    assert rouge_l("a b c d", "a c d x") == pytest.approx(0.75)
    long_a = " ".join(f"w{i % 997}" for i in range(3000))
    long_b = " ".join(f"w{i % 991}" for i in range(3000))
    started = time.monotonic()
    assert 0 < rouge_l(long_a, long_b) < 1
    assert time.monotonic() - started < 0.2  # the pure-Python loop took 1.5 s here


def test_similarity_refuses_texts_past_the_size_limit() -> None:
    similarity = TextSimilarity("{{reference}}", "rouge_l")
    huge = "word " * 300_000
    verdict = check("text_similarity", similarity, huge, {"reference": huge}, CheckLimits(max_similarity_chars=100_000))
    assert (verdict.passed, verdict.error) == (False, "input_too_large")


def test_deeply_nested_json_is_invalid_not_a_crash() -> None:
    assert check("json_valid", JsonValid(), "[" * 100_000, {}).passed is False
    assert check("json_schema", JsonSchema({"type": "array"}), "[" * 100_000 + "]" * 100_000, {}).passed is False


def test_template_parsing_is_linear() -> None:
    started = time.monotonic()
    for hostile in ("{{a" + " " * 1_000_000, "{{" * 500_000 + "}}", "{{item.a" + " " * 1_000_000):
        assert placeholders(hostile) == set()
        ours(hostile)
    assert time.monotonic() - started < 1  # the backtracking regexes took minutes on the first
    assert placeholders("{{ question }} and {{{a}}} and {{ bad name! }}") == {"question", "a"}
    assert render("Q: {{ q }} / {{missing}} / {{n}}", {"q": "why", "n": 3}) == "Q: why /  / 3"
    assert ours("{{ item.question }} -> {{sample.output_text}}") == "{{question}} -> {{output}}"


@pytest.fixture(scope="module")
def small_memory_checks() -> Iterator[ProcessChecks]:
    with check_processes(1, 128 * 1024 * 1024) as runner:
        yield runner


async def test_a_batch_past_its_time_limit_is_stopped_and_the_next_one_served(checks: ProcessChecks) -> None:
    # each key takes ~0.04 s, under the per-match timeout; 200 of them exceed the batch's limit
    slow_keys = {("a" * 26) + f"{i}!": 1 for i in range(200)}
    batch = CheckBatch(
        (("json_schema", JsonSchema({"patternProperties": {SLOW: {}}})),), json.dumps(slow_keys), {}, CheckLimits(1.0)
    )
    fine = CheckBatch((("json_schema", JsonSchema({"type": "object"})),), "{}", {}, CheckLimits())
    assert [v.passed for v in await checks.judge(fine, 30.0)] == [True]  # the process is up
    started = time.monotonic()
    assert [v.error for v in await checks.judge(batch, 1.0)] == ["check_timeout"]
    assert time.monotonic() - started < 3
    assert [v.passed for v in await checks.judge(fine, 30.0)] == [True]  # by a new process


async def test_a_batch_past_the_memory_ceiling_fails_alone(small_memory_checks: ProcessChecks) -> None:
    words = " ".join(f"w{i}" for i in range(600_000))
    bleu = TextSimilarity("{{reference}}", "bleu")
    greedy = CheckBatch((("text_similarity", bleu),), words, {"reference": words}, CheckLimits(0.1, 10**8))
    assert [v.error for v in await small_memory_checks.judge(greedy, 30.0)] == ["check_memory"]
    fine = CheckBatch((("text_similarity", bleu),), "a b c", {"reference": "a b c"}, CheckLimits())
    assert [v.passed for v in await small_memory_checks.judge(fine, 5.0)] == [True]

"""Pre-flight checks of fine-tuning examples and requests (pure domain rules)."""

from __future__ import annotations

import json

import pytest

from mlp.registry.domain.errors import InvalidInput
from mlp.registry.domain.tune_jobs import (
    ExampleLimits,
    ModelSpec,
    check_examples,
    check_hyperparameters,
    jsonl_examples,
    parse_model_spec,
)

CHAT = json.dumps([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}])


def test_model_spec_is_name_version_or_name_alias() -> None:
    assert parse_model_spec("base:3") == ModelSpec("base", version=3)
    assert parse_model_spec("my:model@prod") == ModelSpec("my:model", alias="prod")
    for bad in ("base", "base:0", "base:x", "@prod", "base@", "base:²", "base:٣", f"base:{2**31}"):
        with pytest.raises(InvalidInput):
            parse_model_spec(bad)


def test_hyperparameters_default_to_auto_and_refuse_bad_values() -> None:
    assert check_hyperparameters({"n_epochs": 3}) == {
        "n_epochs": 3,
        "batch_size": "auto",
        "learning_rate_multiplier": "auto",
    }
    for bad in ({"n_epochs": 0}, {"batch_size": 1.5}, {"learning_rate_multiplier": "fast"}, {"seed": 1}):
        with pytest.raises(InvalidInput) as refused:
            check_hyperparameters(bad)
        assert refused.value.field == f"hyperparameters.{next(iter(bad))}"


def test_good_chat_examples_have_no_problem() -> None:
    assert check_examples("training_file", ["messages"], [[CHAT]] * 10, ExampleLimits()) == []
    assert check_examples("training_file", ["prompt", "completion"], [["a", "b"]] * 10, ExampleLimits()) == []


def test_every_problem_is_reported_at_once() -> None:
    rows = [[CHAT], [""], ["not json"], ["x" * 300]]
    problems = check_examples("training_file", ["messages"], rows, ExampleLimits(max_example_chars=200))
    codes = [p["code"] for p in problems]
    assert codes == ["empty-example", "invalid-messages", "invalid-messages", "example-too-long", "too-few-examples"]
    assert {p["field"] for p in problems} == {"training_file"}
    assert problems[0]["row"] == 2


def test_missing_columns_are_named() -> None:
    problems = check_examples("validation_file", ["prompt", "text"], [["a", "b"]], ExampleLimits())
    assert problems == [
        {
            "field": "validation_file",
            "code": "missing-columns",
            "detail": "needs a messages column, or prompt and completion (missing completion)",
        }
    ]


def test_jsonl_lines_become_messages_rows() -> None:
    data = b'{"messages": [{"role": "user", "content": "hi"}]}\n\nnot json\n[1]\n'
    rows = jsonl_examples(data)
    assert rows == [[[{"role": "user", "content": "hi"}]], [""], ["not json"], ["[1]"]]
    codes = [p["code"] for p in check_examples("training_file", ["messages"], rows, ExampleLimits(min_examples=1))]
    assert codes == ["empty-example", "invalid-messages", "invalid-messages"]

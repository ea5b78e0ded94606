"""Checked examples as OpenAI's fine-tuning JSONL (a pure domain function)."""

from __future__ import annotations

import json

from mlp.registry.domain.tune_jobs import jsonl_examples
from mlp.registry.domain.tune_training_file import training_jsonl

CHAT = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]


def lines(data: bytes) -> list[dict[str, object]]:
    assert data.endswith(b"\n")
    return [json.loads(line) for line in data.decode().splitlines()]


def test_chat_rows_are_copied_whether_text_or_parsed() -> None:
    data = training_jsonl(["id", "messages"], [[1, json.dumps(CHAT)], [2, CHAT]])
    assert lines(data) == [{"messages": CHAT}, {"messages": CHAT}]


def test_prompt_completion_rows_become_a_user_assistant_chat() -> None:
    data = training_jsonl(["completion", "prompt"], [["hello", "hi"], ["é", None]])
    assert lines(data) == [
        {"messages": CHAT},
        {"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": "é"}]},
    ]
    assert "é".encode() in data


def test_a_jsonl_files_lines_round_trip() -> None:
    original = b"".join(json.dumps({"messages": CHAT}).encode() + b"\n" for _ in range(3))
    assert lines(training_jsonl(["messages"], jsonl_examples(original))) == [{"messages": CHAT}] * 3

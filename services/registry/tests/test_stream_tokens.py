"""Token counts from answers and from server-sent event streams split anywhere."""

from __future__ import annotations

from mlp.registry.application.inference_tokens import StreamTokens, answer_tokens

CHUNKS = (
    b'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"HELLO"}}]}\n\n'
    b'data: {"choices":[{"index":0,"delta":{"content":" WORLD"}}]}\n\n'
    b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
)


def test_usage_of_a_json_answer() -> None:
    assert answer_tokens(b'{"id":"x","usage":{"prompt_tokens":4,"completion_tokens":2}}') == (4, 2)
    assert answer_tokens(b'{"id":"x"}') == (None, None)
    assert answer_tokens(b"not json") == (None, None)


def test_a_stream_without_usage_counts_chunks_with_text_even_when_split_mid_event() -> None:
    tokens = StreamTokens()
    for i in range(0, len(CHUNKS), 7):
        tokens.feed(CHUNKS[i : i + 7])
    tokens.feed(b"data: [DONE]\n\n")
    assert tokens.totals() == (None, 2)


def test_a_stream_with_usage_reports_it() -> None:
    tokens = StreamTokens()
    tokens.feed(CHUNKS + b'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}\n\ndata: [DONE]\n\n')
    assert tokens.totals() == (3, 2)

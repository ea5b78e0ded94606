"""What answers and server-sent event streams (split anywhere) report of their tokens, and a stream's text."""

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


def test_reported_figures_no_integer_column_holds_are_taken_as_not_reported() -> None:
    assert answer_tokens(b'{"usage":{"prompt_tokens":-4,"completion_tokens":2}}') == (None, 2)
    assert answer_tokens(b'{"usage":{"prompt_tokens":4,"completion_tokens":99999999999}}') == (4, None)
    tokens = StreamTokens()
    tokens.feed(b'data: {"choices":[],"usage":{"prompt_tokens":-1,"completion_tokens":-1}}\n\n')
    assert tokens.totals() == (None, None)


def test_a_stream_without_usage_reports_none_and_keeps_its_text_even_when_split_mid_event() -> None:
    tokens = StreamTokens()
    for i in range(0, len(CHUNKS), 7):
        tokens.feed(CHUNKS[i : i + 7])
    tokens.feed(b"data: [DONE]\n\n")
    assert tokens.totals() == (None, None)
    assert tokens.text() == "HELLO WORLD"


def test_a_streamed_tool_call_keeps_its_name_and_arguments() -> None:
    tokens = StreamTokens()
    call = b'{"index":0,"function":{"name":"add","arguments":"{\\"a\\": 1}"}}'
    tokens.feed(b'data: {"choices":[{"index":0,"delta":{"tool_calls":[' + call + b"]}}]}\n\n")
    assert tokens.text() == 'add{"a": 1}'


def test_a_stream_with_usage_reports_it() -> None:
    tokens = StreamTokens()
    tokens.feed(CHUNKS + b'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}\n\ndata: [DONE]\n\n')
    assert tokens.totals() == (3, 2)


USAGE = b'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}\n\n'


def test_usage_the_client_did_not_ask_for_is_taken_out_of_the_stream_split_anywhere() -> None:
    stream = CHUNKS.replace(b"\n\n", b"\r\n\r\n") + USAGE + b"data: [DONE]\n\n"
    tokens = StreamTokens(hide_usage=True)
    passed = b"".join(tokens.feed(stream[i : i + 5]) for i in range(0, len(stream), 5)) + tokens.rest()
    assert tokens.totals() == (3, 2)
    assert b"usage" not in passed
    assert passed.count(b"data: ") == 4  # three chunks and [DONE]
    assert passed.endswith(b"data: [DONE]\n\n")


def test_without_hiding_whole_events_pass_byte_for_byte_and_a_partial_one_waits_for_its_end() -> None:
    tokens = StreamTokens()
    assert tokens.feed(CHUNKS[:10]) == b""
    assert tokens.feed(CHUNKS[10:] + USAGE + b"data: [DO") == CHUNKS + USAGE
    assert tokens.feed(b"NE]") == b""
    assert tokens.rest() == b"data: [DONE]"

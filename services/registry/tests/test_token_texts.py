"""What the platform counts of a request and an answer, with the offline cl100k_base tokenizer."""

from __future__ import annotations

from mlp.registry.adapters.tiktoken_counter import TiktokenCounter
from mlp.registry.application.token_texts import output_tokens, prompt_tokens

count = TiktokenCounter().count


def test_the_tokenizer_is_cl100k_base_read_from_the_package() -> None:
    # tiktoken's own example: "tiktoken is great!" is [83, 1609, 5963, 374, 2294, 0] in cl100k_base
    assert count("tiktoken is great!") == 6
    assert count("<|endoftext|>") > 1  # special-token text in a prompt is ordinary text
    assert count("") == 0


def test_a_chat_prompt_follows_openais_recipe() -> None:
    body = (
        b'{"messages":[{"role":"system","content":"Be brief."},'
        b'{"role":"user","name":"ada","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{}}]},'
        b'{"role":"assistant","content":null,"tool_calls":[{"function":{"name":"add","arguments":"{}"}}]}]}'
    )
    system = 3 + count("system") + count("Be brief.")
    user = 3 + count("user") + count("hi") + 1 + count("ada")
    assistant = 3 + count("assistant") + count("add") + count("{}")
    assert prompt_tokens("chat.completions", body, count) == 3 + system + user + assistant


def test_prompts_and_inputs_as_text_or_token_ids() -> None:
    assert prompt_tokens("completions", b'{"prompt":"tiktoken is great!"}', count) == 6
    assert prompt_tokens("completions", b'{"prompt":[[1,2,3],[4]]}', count) == 4
    assert prompt_tokens("embeddings", b'{"input":["tiktoken is great!","tiktoken is great!"]}', count) == 12
    assert prompt_tokens("embeddings", b'{"input":[5,6]}', count) == 2


def test_answers_count_their_generated_text_and_embeddings_nothing() -> None:
    chat = b'{"choices":[{"message":{"role":"assistant","content":"tiktoken is great!"}},{"message":{"content":"ok"}}]}'
    assert output_tokens("chat.completions", chat, count) == 6 + count("ok")
    assert output_tokens("completions", b'{"choices":[{"text":"tiktoken is great!"}]}', count) == 6
    assert output_tokens("embeddings", b'{"data":[]}', count) == 0


def test_what_does_not_decode_counts_nothing() -> None:
    assert output_tokens("chat.completions", b"<html>", count) == 0
    assert prompt_tokens("chat.completions", b'{"messages":"no"}', count) == 0
    assert output_tokens("completions", b"[" * 100_000 + b"]" * 100_000, count) == 0

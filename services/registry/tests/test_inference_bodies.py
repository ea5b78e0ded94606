"""The body forwarded upstream: only the top-level ``model`` changes, every other value is copied as the
client wrote it (escapes, spacing, nested ``model`` keys included)."""

from __future__ import annotations

import json

from mlp.registry.api.openai_bodies import read_request

MESSAGES = b'[ {"role":"user", "content":"caf\\u00e9 \\"model\\": x"} ]'
TOOLS = b'[{"type":"function","function":{"name":"f","parameters":{"properties":{"model":{"type":"string"}}}}}]'
BODY = b'{"model" : "my-deployment", "messages": ' + MESSAGES + b', "tools":' + TOOLS + b', "temperature": 0.50}'


def test_only_the_top_level_model_is_rewritten_and_other_values_keep_their_bytes() -> None:
    request = read_request(BODY, "chat.completions")
    assert (request.model, request.stream, request.hide_usage) == ("my-deployment", False, False)
    sent = request.body.naming("ft:gpt-4o-mini:acme::1")
    assert json.loads(sent)["model"] == "ft:gpt-4o-mini:acme::1"
    assert {k: v for k, v in json.loads(sent).items() if k != "model"} == {
        k: v for k, v in json.loads(BODY).items() if k != "model"
    }
    assert MESSAGES in sent  # copied, not decoded and encoded again
    assert TOOLS in sent
    assert b"0.50" in sent
    assert request.body.naming(None) is BODY  # nothing to change: the bytes received


def test_a_stream_asks_for_usage_whatever_model_it_names() -> None:
    body = b'{"model":"d","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"x":1}}'
    request = read_request(body, "chat.completions")
    assert request.hide_usage
    for model in (None, "served"):
        sent = json.loads(request.body.naming(model))
        assert sent["stream_options"] == {"x": 1, "include_usage": True}
        assert sent["model"] == (model or "d")

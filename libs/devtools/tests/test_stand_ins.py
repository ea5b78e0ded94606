"""``make run``'s stand-ins: a model server and, unless a real trainer is configured, a fine-tuning API."""

from __future__ import annotations

from contextlib import ExitStack

import httpx
import pytest

from mlp.devtools.stand_ins import start_stand_ins

OFFSET = 31_000  # far from make run's own ports and the tests' platform


def test_both_answer_and_registry_is_pointed_at_the_trainer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGISTRY_TRAINER_URL", raising=False)
    with ExitStack() as started:
        env, lines = start_stand_ins(started, OFFSET)
        assert httpx.get(f"http://127.0.0.1:{9100 + OFFSET}/v1/models").status_code == 200
        trainer = env["REGISTRY_TRAINER_URL"]
        assert trainer == f"http://127.0.0.1:{8090 + OFFSET}"
        assert httpx.get(f"{trainer}/v1/fine_tuning/jobs").json()["data"] == []
        assert env["REGISTRY_TUNE_POLL_SECONDS"] == "2"
        assert len(lines) == 2
    with pytest.raises(httpx.ConnectError):  # stopped with the stack
        httpx.get(f"{trainer}/v1/fine_tuning/jobs")


def test_a_configured_trainer_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGISTRY_TRAINER_URL", "https://api.openai.com")
    with ExitStack() as started:
        env, lines = start_stand_ins(started, OFFSET)
    assert "REGISTRY_TRAINER_URL" not in env
    assert len(lines) == 1


def test_the_model_server_serves_only_its_models_and_what_the_trainer_finished(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGISTRY_TRAINER_URL", raising=False)
    with ExitStack() as started:
        env, _ = start_stand_ins(started, OFFSET)
        model = f"http://127.0.0.1:{9100 + OFFSET}/v1"
        trainer = env["REGISTRY_TRAINER_URL"] + "/v1"
        chat = {"messages": [{"role": "user", "content": "hi"}]}
        unknown = httpx.post(f"{model}/chat/completions", json={"model": "gpt-4o", **chat})
        assert unknown.status_code == 404
        assert unknown.json() == {
            "error": {
                "message": "The model `gpt-4o` does not exist or you do not have access to it.",
                "type": "invalid_request_error",
                "param": None,
                "code": "model_not_found",
            }
        }
        for path, body in (("/completions", {"prompt": "x"}), ("/embeddings", {"input": "x"})):
            assert httpx.post(f"{model}{path}", json={"model": "nope", **body}).status_code == 404
        assert httpx.post(f"{model}/chat/completions", json={"model": "test-model", **chat}).status_code == 200

        uploaded = httpx.post(f"{trainer}/files", files={"file": ("t.jsonl", b"{}\n")}, data={"purpose": "fine-tune"})
        job = httpx.post(
            f"{trainer}/fine_tuning/jobs", json={"model": "test-model", "training_file": uploaded.json()["id"]}
        )
        state = {}
        for _ in range(3):
            state = httpx.get(f"{trainer}/fine_tuning/jobs/{job.json()['id']}").json()
        tuned = state["fine_tuned_model"]
        assert tuned.startswith("ft:test-model:")
        answer = httpx.post(f"{model}/chat/completions", json={"model": tuned, **chat})
        assert (answer.status_code, answer.json()["model"]) == (200, tuned)
        assert [m["id"] for m in httpx.get(f"{model}/models").json()["data"]] == ["test-model", tuned]

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

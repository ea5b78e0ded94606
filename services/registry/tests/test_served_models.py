"""Which artifact URIs name a model an upstream serves, and what a deployment asks its upstream for."""

from __future__ import annotations

import uuid

import pytest

from mlp.registry.domain.deployment_errors import InvalidDeployment
from mlp.registry.domain.deployments import ModelVersionRef, served_model_for, served_model_of


@pytest.mark.parametrize(
    ("uri", "served"),
    [
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini-2024-07-18"),
        ("ft:gpt-4o-mini-2024-07-18:acme::AbC123", "ft:gpt-4o-mini-2024-07-18:acme::AbC123"),
        ("meta-llama/Meta-Llama-3-8B-Instruct", "meta-llama/Meta-Llama-3-8B-Instruct"),
        ("llama3:8b", "llama3:8b"),
        ("s3://bucket/llama", None),
        ("runs:/0123/model", None),
        ("models:/chat/3", None),
        ("tune://ftjob-1", None),
        ("two words", None),
        (None, None),
    ],
)
def test_an_artifact_uri_names_a_model_unless_it_is_a_location(uri: str | None, served: str | None) -> None:
    assert served_model_of(uri) == served


def test_the_override_wins_and_a_version_without_a_model_id_needs_one() -> None:
    named = ModelVersionRef(uuid.uuid4(), uuid.uuid4(), 1, "model-a")
    weights = ModelVersionRef(uuid.uuid4(), uuid.uuid4(), 2, None)
    assert served_model_for("openai-chat", named, None) == "model-a"
    assert served_model_for("openai-chat", named, "model-b") == "model-b"
    assert served_model_for("http-json", weights, None) is None  # a predict body passes as sent
    with pytest.raises(InvalidDeployment) as missing:
        served_model_for("openai-chat", weights, None)
    assert missing.value.field == "served_model"
    with pytest.raises(InvalidDeployment):
        served_model_for("openai-embeddings", weights, "has space")

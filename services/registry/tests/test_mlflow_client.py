"""MLflow's own client (mlflow-skinny) against registry over HTTP: the registry part of MLflow's REST API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from live_registry import serve
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from platform_tokens import SigningKeys

from mlp.registry.app import create_app
from mlp.registry.settings import RegistrySettings


@pytest.fixture(scope="module")
def registry_url(registry_settings: RegistrySettings, keys: SigningKeys) -> Iterator[str]:
    with serve(create_app(registry_settings), keys) as url:
        yield url


def client_of(url: str, token: str, monkeypatch: pytest.MonkeyPatch) -> MlflowClient:
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token)
    return MlflowClient(tracking_uri=url, registry_uri=url)


def error_code(call: object) -> str:
    with pytest.raises(MlflowException) as raised:
        call()  # type: ignore[operator]
    return str(raised.value.error_code)


def test_mlflow_client_creates_searches_aliases_and_fetches(
    registry_url: str, keys: SigningKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_of(registry_url, keys.token(uuid.uuid4()), monkeypatch)
    created = client.create_registered_model("fraud-detector", tags={"team": "risk"}, description="first")
    assert (created.name, created.description, created.tags) == ("fraud-detector", "first", {"team": "risk"})
    client.create_registered_model("fraud-baseline")
    client.create_registered_model("churn")

    v1 = client.create_model_version("fraud-detector", "s3://models/fraud/1", run_id="run-1", tags={"auc": "0.9"})
    v2 = client.create_model_version("fraud-detector", "s3://models/fraud/2", description="retrained")
    assert (v1.version, v1.status, v1.run_id, v1.tags, v1.current_stage) == (
        "1",
        "READY",
        "run-1",
        {"auc": "0.9"},
        "None",
    )
    assert (v2.version, v2.source, v2.description) == ("2", "s3://models/fraud/2", "retrained")

    client.set_registered_model_alias("fraud-detector", "champion", "1")
    client.set_registered_model_alias("fraud-detector", "champion", "2")  # a move
    client.set_registered_model_alias("fraud-detector", "challenger", "1")
    assert client.get_model_version_by_alias("fraud-detector", "champion").version == "2"
    model = client.get_registered_model("fraud-detector")
    assert model.aliases == {"champion": "2", "challenger": "1"}
    assert [v.version for v in model.latest_versions] == ["2"]
    assert client.get_model_version("fraud-detector", "1").aliases == ["challenger"]

    found = client.search_registered_models(filter_string="name LIKE 'fraud-%'")
    assert [m.name for m in found] == ["fraud-baseline", "fraud-detector"]
    assert [m.name for m in client.search_registered_models(filter_string="tags.team = 'risk'")] == ["fraud-detector"]
    page = client.search_registered_models(max_results=2)
    assert len(page) == 2
    assert page.token
    rest = client.search_registered_models(max_results=2, page_token=page.token)
    assert [m.name for m in [*page, *rest]] == ["churn", "fraud-baseline", "fraud-detector"]
    versions = client.search_model_versions("name = 'fraud-detector' AND run_id = 'run-1'")
    assert [(v.name, v.version) for v in versions] == [("fraud-detector", "1")]
    assert client.get_model_version_download_uri("fraud-detector", "2") == "s3://models/fraud/2"
    assert [v.version for v in client.get_latest_versions("fraud-detector")] == ["2"]

    client.update_registered_model("fraud-detector", description="second")
    client.set_registered_model_tag("fraud-detector", "owner", "ada")
    client.delete_registered_model_tag("fraud-detector", "team")
    client.update_model_version("fraud-detector", "2", description="promoted")
    client.set_model_version_tag("fraud-detector", "2", "approved", "yes")
    client.delete_model_version_tag("fraud-detector", "1", "auc")
    client.delete_registered_model_alias("fraud-detector", "challenger")
    client.rename_registered_model("fraud-detector", "fraud-model")
    model = client.get_registered_model("fraud-model")
    assert (model.description, model.tags, model.aliases) == ("second", {"owner": "ada"}, {"champion": "2"})
    version = client.get_model_version("fraud-model", "2")
    assert (version.description, version.tags) == ("promoted", {"approved": "yes"})
    assert client.get_model_version("fraud-model", "1").tags == {}

    client.delete_model_version("fraud-model", "1")
    assert error_code(lambda: client.get_model_version("fraud-model", "1")) == "RESOURCE_DOES_NOT_EXIST"
    client.delete_registered_model("fraud-model")
    assert error_code(lambda: client.get_registered_model("fraud-model")) == "RESOURCE_DOES_NOT_EXIST"


def test_mlflow_client_sees_mlflow_error_codes(
    registry_url: str, keys: SigningKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = client_of(registry_url, keys.token(uuid.uuid4()), monkeypatch)
    owner.create_registered_model("taken")
    owner.create_model_version("taken", "s3://x")
    assert error_code(lambda: owner.create_registered_model("taken")) == "RESOURCE_ALREADY_EXISTS"
    assert error_code(lambda: owner.search_registered_models("name ~ 'x'")) == "INVALID_PARAMETER_VALUE"
    assert error_code(lambda: owner.search_model_versions("colour = 'red'")) == "INVALID_PARAMETER_VALUE"
    assert error_code(lambda: owner.set_registered_model_alias("taken", "latest", "1")) == "INVALID_PARAMETER_VALUE"
    assert error_code(lambda: owner.search_registered_models(max_results=1001)) == "INVALID_PARAMETER_VALUE"

    stranger = client_of(registry_url, keys.token(uuid.uuid4()), monkeypatch)
    assert error_code(lambda: stranger.get_registered_model("taken")) == "RESOURCE_DOES_NOT_EXIST"
    assert error_code(lambda: stranger.get_model_version("taken", "1")) == "RESOURCE_DOES_NOT_EXIST"
    assert error_code(lambda: stranger.set_registered_model_alias("taken", "prod", "1")) == "RESOURCE_DOES_NOT_EXIST"
    assert list(stranger.search_registered_models()) == []

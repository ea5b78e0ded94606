"""What the API and the worker both build: registry's adapters and identity's user tokens."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from mlp.common.runtime.service_tokens import ServiceTokens
from mlp.evaluation.adapters.registry.chat import HttpChatModel, HttpDeployments
from mlp.evaluation.adapters.registry.datasets import HttpDatasetRows
from mlp.evaluation.application.upstream_ports import ChatModel, DatasetRows, Deployments, UserTokens
from mlp.evaluation.settings import EvaluationSettings


@dataclass(frozen=True)
class Gateways:
    """evaluation's view of the other services; tests pass fakes."""

    rows: DatasetRows
    chat: ChatModel
    deployments: Deployments
    tokens: UserTokens


def http_gateways(http: httpx.AsyncClient, settings: EvaluationSettings) -> Gateways:
    registry = settings.registry_url
    return Gateways(
        rows=HttpDatasetRows(http, registry),
        chat=HttpChatModel(http, registry),
        deployments=HttpDeployments(http, registry),
        tokens=ServiceTokens(http, settings.identity_url, "evaluation", settings.service_credential),
    )


def model_http_client(settings: EvaluationSettings) -> httpx.AsyncClient:
    """One pool for the rows a worker evaluates at once: as many connections as rows in flight."""
    connections = settings.run_concurrency * settings.run_jobs_per_worker + 8
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.row_timeout_seconds, connect=min(settings.http_timeout_seconds, 5.0)),
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        transport=httpx.AsyncHTTPTransport(
            retries=settings.http_retries,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        ),
    )

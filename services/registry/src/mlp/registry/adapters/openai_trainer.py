"""The trainer port over an OpenAI-compatible fine-tuning API (``/v1/fine_tuning/jobs``)."""

from __future__ import annotations

from typing import Any

import httpx

from mlp.registry.application.tune_ports import TrainerState
from mlp.registry.domain.tune_jobs import TuneJob

RUNNING = frozenset({"validating_files", "queued", "running"})


class OpenAITrainer:
    def __init__(self, base_url: str, api_key: str, client: httpx.AsyncClient | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = client or httpx.AsyncClient(timeout=30.0)

    async def start(self, job: TuneJob) -> str:
        body: dict[str, Any] = {
            "model": job.model,
            "training_file": job.training_file,
            "hyperparameters": job.hyperparameters,
        }
        if job.validation_file is not None:
            body["validation_file"] = job.validation_file
        if job.suffix is not None:
            body["suffix"] = job.suffix
        response = await self._client.post(f"{self._base}/v1/fine_tuning/jobs", json=body, headers=self._headers)
        response.raise_for_status()
        external_id: str = response.json()["id"]
        return external_id

    async def poll(self, external_id: str) -> TrainerState:
        response = await self._client.get(f"{self._base}/v1/fine_tuning/jobs/{external_id}", headers=self._headers)
        response.raise_for_status()
        job = response.json()
        status = job.get("status", "running")
        error = job.get("error") or {}
        return TrainerState(
            status="running" if status in RUNNING else status,
            trained_tokens=job.get("trained_tokens"),
            fine_tuned_model=job.get("fine_tuned_model"),
            metrics={k: float(v) for k, v in (job.get("metrics") or {}).items() if isinstance(v, int | float)},
            error=error.get("message") if isinstance(error, dict) else None,
        )

    async def cancel(self, external_id: str) -> None:
        """Best effort: a trainer that already finished the job may refuse."""
        try:
            await self._client.post(f"{self._base}/v1/fine_tuning/jobs/{external_id}/cancel", headers=self._headers)
        except httpx.HTTPError:
            return

    async def aclose(self) -> None:
        await self._client.aclose()

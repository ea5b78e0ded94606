"""The trainer port over an OpenAI-compatible fine-tuning API: ``/v1/files`` for the JSONL,
``/v1/fine_tuning/jobs`` for the job (OpenAI, Together, or any compatible backend)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from mlp.registry.application.tune_ports import TrainerRefused, TrainerState
from mlp.registry.domain.tune_jobs import TuneJob

METADATA_KEY = "mlp_tune_job_id"
"""The job's metadata key naming the tune job, so a re-run finds the backend job it started."""
MAX_LIST_PAGES = 5
"""Pages of 100 jobs looked through when a backend ignores the metadata filter (newest first)."""
REFUSALS = frozenset({400, 404, 413, 422})
"""What the trainer answers files or a job it will never take (other errors are retried)."""
STATUSES = {
    "validating_files": "queued",
    "queued": "queued",
    "running": "running",
    "succeeded": "succeeded",
    "failed": "failed",
    "cancelled": "cancelled",
}


class OpenAITrainer:
    def __init__(self, base_url: str, api_key: str, client: httpx.AsyncClient | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = client or httpx.AsyncClient(timeout=30.0)

    async def find(self, job_id: uuid.UUID) -> str | None:
        """Filters on the metadata (OpenAI's ``metadata[key]=value``) and checks it again."""
        params: dict[str, Any] = {f"metadata[{METADATA_KEY}]": str(job_id), "limit": 100}
        for _ in range(MAX_LIST_PAGES):
            response = await self._client.get(f"{self._base}/v1/fine_tuning/jobs", params=params, headers=self._headers)
            response.raise_for_status()
            page = response.json()
            jobs = page.get("data") or []
            for job in jobs:
                if (job.get("metadata") or {}).get(METADATA_KEY) == str(job_id):
                    return str(job["id"])
            if not page.get("has_more") or not jobs:
                return None
            params["after"] = jobs[-1]["id"]
        return None

    async def start(self, job: TuneJob, base_model: str, training: bytes, validation: bytes | None) -> str:
        body: dict[str, Any] = {
            "model": base_model,
            "training_file": await self._upload(job, "train", training),
            "hyperparameters": job.hyperparameters,
            "metadata": {METADATA_KEY: str(job.id)},
        }
        if validation is not None:
            body["validation_file"] = await self._upload(job, "validation", validation)
        if job.suffix is not None:
            body["suffix"] = job.suffix
        response = await self._client.post(f"{self._base}/v1/fine_tuning/jobs", json=body, headers=self._headers)
        external_id: str = _accepted(response)["id"]
        return external_id

    async def _upload(self, job: TuneJob, part: str, data: bytes) -> str:
        response = await self._client.post(
            f"{self._base}/v1/files",
            files={"file": (f"mlp-tune-{job.id}-{part}.jsonl", data, "application/jsonl")},
            data={"purpose": "fine-tune"},
            headers=self._headers,
        )
        file_id: str = _accepted(response)["id"]
        return file_id

    async def poll(self, external_id: str) -> TrainerState:
        """validating_files and queued are both ``queued``; a status not known goes on ``running``."""
        response = await self._client.get(f"{self._base}/v1/fine_tuning/jobs/{external_id}", headers=self._headers)
        response.raise_for_status()
        job = response.json()
        error = job.get("error") or {}
        return TrainerState(
            status=STATUSES.get(job.get("status"), "running"),
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


def _accepted(response: httpx.Response) -> Any:
    """The answer's JSON; TrainerRefused with OpenAI's ``error.message`` for a refusal."""
    if response.status_code in REFUSALS:
        try:
            reason = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            reason = response.text[:200]
        raise TrainerRefused(f"{response.status_code}: {reason}")
    response.raise_for_status()
    return response.json()

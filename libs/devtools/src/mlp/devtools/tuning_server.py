"""A small OpenAI-compatible fine-tuning API for tests (never shipped).

``POST /v1/fine_tuning/jobs`` starts a job (``ftjob-<n>``); ``GET /v1/fine_tuning/jobs/{id}``
answers ``running`` for the first ``polls_to_finish - 1`` polls of that job, then ``succeeded``
with ``trained_tokens`` and ``fine_tuned_model`` (or ``failed`` when ``fail`` is set);
``POST /v1/fine_tuning/jobs/{id}/cancel`` cancels it. ``created`` and ``polls`` record the calls.

``TuningServer().start()`` serves on an ephemeral loopback port in a thread.
"""

from __future__ import annotations

import json
from typing import Any

from mlp.devtools.loopback_server import LoopbackServer
from mlp.devtools.model_server import Receive, Scope, Send

JOBS = "/v1/fine_tuning/jobs"


class TuningServer(LoopbackServer):
    def __init__(self, polls_to_finish: int = 2, trained_tokens: int = 1234, api_key: str | None = None) -> None:
        self.polls_to_finish = polls_to_finish
        self.trained_tokens = trained_tokens
        self.api_key = api_key
        self.fail = False
        self.created: list[dict[str, Any]] = []
        self.polls: dict[str, int] = {}
        self.cancelled: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = dict(scope["headers"])
        if self.api_key and headers.get(b"authorization") != f"Bearer {self.api_key}".encode():
            await _json(send, 401, {"error": {"message": "bad api key", "code": "invalid_key"}})
            return
        method, path = scope["method"], scope["path"]
        if method == "POST" and path == JOBS:
            request = json.loads(body or b"{}")
            job_id = f"ftjob-{len(self.created) + 1}"
            self.created.append({"id": job_id, **request})
            self.polls[job_id] = 0
            await _json(send, 200, self._job(job_id, "queued"))
            return
        job_id = path.removeprefix(JOBS + "/").removesuffix("/cancel")
        if job_id not in self.polls:
            await _json(send, 404, {"error": {"message": "no such job", "code": "not_found"}})
        elif method == "POST" and path.endswith("/cancel"):
            self.cancelled.add(job_id)
            await _json(send, 200, self._job(job_id, "cancelled"))
        elif method == "GET":
            self.polls[job_id] += 1
            await _json(send, 200, self._state(job_id))
        else:
            await _json(send, 405, {"error": {"message": "method not allowed"}})

    def _state(self, job_id: str) -> dict[str, Any]:
        if job_id in self.cancelled:
            return self._job(job_id, "cancelled")
        if self.polls[job_id] < self.polls_to_finish:
            return self._job(job_id, "running")
        if self.fail:
            return {**self._job(job_id, "failed"), "error": {"code": "bad_data", "message": "training diverged"}}
        return {
            **self._job(job_id, "succeeded"),
            "trained_tokens": self.trained_tokens,
            "fine_tuned_model": f"ft:{job_id}",
            "metrics": {"train_loss": 0.25},
        }

    @staticmethod
    def _job(job_id: str, status: str) -> dict[str, Any]:
        return {"id": job_id, "object": "fine_tuning.job", "status": status, "fine_tuned_model": None}


async def _json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

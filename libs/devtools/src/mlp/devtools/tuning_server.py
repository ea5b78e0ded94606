"""A small OpenAI-compatible fine-tuning API for tests (never shipped).

``POST /v1/files`` stores a multipart upload as ``file-<n>`` (``uploads``: filename, purpose,
data). ``POST /v1/fine_tuning/jobs`` starts ``ftjob-<n>`` (``created``), OpenAI's 400 when a file
is not one it received; ``GET`` lists them newest first (``after``, ``limit``, the
``metadata[key]`` filter unless ``filters_metadata`` is False). A job is ``queued`` for its first
``queued_polls`` polls, ``running`` until the ``polls_to_finish``-th, then ``succeeded`` (or
``failed`` when ``fail`` is set); ``/cancel`` cancels it. A succeeded job's model is
``ft:<base model>:stand-in::<job id>``, OpenAI's shape, handed once to ``on_model`` (``make run``
and tests pass the stand-in model server's ``serve``, so the tuned model can be called).
``start()`` serves on a loopback port.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from mlp.devtools.loopback_server import LoopbackServer
from mlp.devtools.model_server import Receive, Scope, Send, read_body
from mlp.devtools.multipart_form import form_parts

FILES = "/v1/files"
JOBS = "/v1/fine_tuning/jobs"


class TuningServer(LoopbackServer):
    def __init__(
        self,
        polls_to_finish: int = 2,
        trained_tokens: int = 1234,
        api_key: str | None = None,
        on_model: Callable[[str], None] = lambda model: None,
    ) -> None:
        self.polls_to_finish = polls_to_finish
        self.on_model = on_model
        self.queued_polls = 0
        self.trained_tokens = trained_tokens
        self.api_key = api_key
        self.fail = False
        self.filters_metadata = True
        self.uploads: dict[str, dict[str, Any]] = {}
        self.created: list[dict[str, Any]] = []
        self.polls: dict[str, int] = {}
        self.cancelled: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        headers = dict(scope["headers"])
        if self.api_key and headers.get(b"authorization") != f"Bearer {self.api_key}".encode():
            await _json(send, 401, {"error": {"message": "bad api key", "code": "invalid_key"}})
            return
        method, path = scope["method"], scope["path"]
        if method == "POST" and path == FILES:
            await self._upload(headers.get(b"content-type", b""), body, send)
        elif method == "POST" and path == JOBS:
            await self._create(json.loads(body or b"{}"), send)
        elif method == "GET" and path == JOBS:
            await _json(send, 200, self._list(dict(parse_qsl(scope["query_string"].decode()))))
        else:
            await self._one(method, path, send)

    async def _upload(self, content_type: bytes, body: bytes, send: Send) -> None:
        parts = form_parts(content_type, body)
        if "file" not in parts or "purpose" not in parts:
            await _json(send, 400, _error("a multipart file and purpose are required", "file"))
            return
        file_id = f"file-{len(self.uploads) + 1}"
        upload = parts["file"]
        self.uploads[file_id] = {
            "id": file_id,
            "object": "file",
            "bytes": len(upload.data),
            "filename": upload.filename or "upload",
            "purpose": parts["purpose"].data.decode(),
            "created_at": 1_700_000_000,
            "status": "processed",
            "data": upload.data,
        }
        await _json(send, 200, {k: v for k, v in self.uploads[file_id].items() if k != "data"})

    async def _create(self, request: dict[str, Any], send: Send) -> None:
        for param in ("training_file", "validation_file"):
            value = request.get(param)
            if (value is not None or param == "training_file") and value not in self.uploads:
                await _json(send, 400, _error(f"invalid {param}: {value}", param))
                return
        job_id = f"ftjob-{len(self.created) + 1}"
        self.created.append({"id": job_id, **request})
        self.polls[job_id] = 0
        await _json(send, 200, self._job(job_id, "validating_files"))

    def _list(self, query: dict[str, str]) -> dict[str, Any]:
        jobs = [self._job(job["id"], self._status(job["id"])) for job in reversed(self.created)]
        if self.filters_metadata:
            wanted = {k[len("metadata[") : -1]: v for k, v in query.items() if k.startswith("metadata[")}
            jobs = [j for j in jobs if all(j["metadata"].get(k) == v for k, v in wanted.items())]
        ids = [j["id"] for j in jobs]
        if query.get("after") in ids:
            jobs = jobs[ids.index(query["after"]) + 1 :]
        limit = int(query.get("limit", 20))
        return {"object": "list", "data": jobs[:limit], "has_more": len(jobs) > limit}

    async def _one(self, method: str, path: str, send: Send) -> None:
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

    def _status(self, job_id: str) -> str:
        polls = self.polls[job_id]
        if job_id in self.cancelled:
            return "cancelled"
        if polls == 0:
            return "validating_files"
        if polls <= self.queued_polls:
            return "queued"
        if polls < self.polls_to_finish:
            return "running"
        return "failed" if self.fail else "succeeded"

    def _state(self, job_id: str) -> dict[str, Any]:
        status = self._status(job_id)
        if status == "failed":
            return {**self._job(job_id, status), "error": {"code": "bad_data", "message": "training diverged"}}
        if status == "succeeded":
            model = self.fine_tuned_model(job_id)
            self.on_model(model)
            extra = {"trained_tokens": self.trained_tokens, "fine_tuned_model": model}
            return {**self._job(job_id, status), **extra, "metrics": {"train_loss": 0.25}}
        return self._job(job_id, status)

    def fine_tuned_model(self, job_id: str) -> str:
        base = next(job for job in self.created if job["id"] == job_id).get("model") or "model"
        return f"ft:{base}:stand-in::{job_id}"

    def _job(self, job_id: str, status: str) -> dict[str, Any]:
        created = next(job for job in self.created if job["id"] == job_id)
        return {
            "id": job_id,
            "object": "fine_tuning.job",
            "status": status,
            "fine_tuned_model": None,
            "training_file": created.get("training_file"),
            "metadata": created.get("metadata") or {},
        }


def _error(message: str, param: str) -> dict[str, Any]:
    """OpenAI's error body."""
    return {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}}


async def _json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

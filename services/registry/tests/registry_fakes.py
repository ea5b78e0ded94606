"""In-memory fakes of registry's ports (one place for the whole service's tests; not named ``fakes``
because identity's test fakes take that module name on the shared pythonpath)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from mlp.common.contracts.audit import OperationEventIn
from mlp.common.contracts.usage import UsageEventIn
from mlp.common.egress.guard import CheckedAddress
from mlp.registry.application.serving_ports import DeploymentPage, ProbeOutcome, UpstreamReply, UpstreamTarget
from mlp.registry.application.tune_ports import TrainerRefused, TrainerState
from mlp.registry.application.upstream_errors import UpstreamUnavailable
from mlp.registry.domain.deployment_errors import NameTaken
from mlp.registry.domain.deployments import Deployment, ModelVersionRef, Revision
from mlp.registry.domain.files import StoredFile
from mlp.registry.domain.inference import InferenceRecord
from mlp.registry.domain.models import ModelRef, ModelVersion, NewVersion
from mlp.registry.domain.tune_jobs import TuneEvent, TuneJob


class RecordingOutbox:
    """The outbox port, recording what transactions wrote (one recorder shared by every transaction).

    Tests read ``audits``, ``usages`` and ``jobs``; the fake does not know about transactions, so
    it records at call time (use cases only call it inside a transaction that then commits, and
    the tests of "nothing written" check the database).
    """

    def __init__(self) -> None:
        self.audits: list[OperationEventIn] = []
        self.usages: list[UsageEventIn] = []
        self.jobs: list[tuple[str, bytes, str | None]] = []

    def __call__(self, conn: object) -> RecordingOutbox:
        return self

    bind = __call__

    async def audit(self, events: Sequence[OperationEventIn]) -> None:
        self.audits.extend(events)

    async def usage(self, events: Sequence[UsageEventIn]) -> None:
        self.usages.extend(events)

    async def enqueue(
        self, entrypoint: str, payloads: Sequence[bytes], dedupe_keys: Sequence[str] | None = None
    ) -> None:
        keys = list(dedupe_keys) if dedupe_keys is not None else [None] * len(payloads)
        self.jobs.extend((entrypoint, p, k) for p, k in zip(payloads, keys, strict=True))

    def take_jobs(self, entrypoint: str) -> list[bytes]:
        taken = [p for e, p, _ in self.jobs if e == entrypoint]
        self.jobs = [j for j in self.jobs if j[0] != entrypoint]
        return taken

    def actions(self, user_id: uuid.UUID | None = None) -> list[str]:
        return [e.action for e in self.audits if user_id is None or e.user_id == user_id]


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class InMemoryDeployments:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Deployment] = {}
        self.credentials: dict[uuid.UUID, bytes | None] = {}
        self.deleted: set[uuid.UUID] = set()
        self.history: list[Revision] = []

    def _live(self) -> list[Deployment]:
        return [d for d in self.rows.values() if d.id not in self.deleted]

    async def add(self, deployment: Deployment, credential: bytes | None) -> None:
        if any(d.user_id == deployment.user_id and d.name == deployment.name for d in self._live()):
            raise NameTaken("taken", "name")
        self.rows[deployment.id] = deployment
        self.credentials[deployment.id] = credential

    async def get(self, user_id: uuid.UUID, deployment_id: uuid.UUID) -> Deployment | None:
        found = self.rows.get(deployment_id)
        return found if found and found.user_id == user_id and found.id not in self.deleted else None

    async def by_name(self, user_id: uuid.UUID, name: str) -> tuple[Deployment, bytes | None] | None:
        for d in self._live():
            if d.user_id == user_id and d.name == name:
                return d, self.credentials[d.id]
        return None

    async def page(self, user_id: uuid.UUID, limit: int, cursor: str | None) -> DeploymentPage:
        return DeploymentPage([d for d in self._live() if d.user_id == user_id][:limit], None)

    async def live(self, limit: int) -> list[tuple[Deployment, bytes | None]]:
        return [(d, self.credentials[d.id]) for d in self._live() if d.status != "stopped"][:limit]

    async def save(self, deployment: Deployment, credential: bytes | bool | None = False) -> None:
        self.rows[deployment.id] = deployment
        if credential is not False:
            self.credentials[deployment.id] = credential if isinstance(credential, bytes) else None

    async def record_probe(self, probed: Deployment, previous_status: str) -> bool:
        if self.rows[probed.id].status != previous_status:
            return False
        self.rows[probed.id] = probed
        return True

    async def delete(self, user_id: uuid.UUID, deployment_id: uuid.UUID, at: datetime) -> None:
        self.deleted.add(deployment_id)
        self._close(deployment_id, at)

    async def open_revision(self, deployment: Deployment, at: datetime) -> None:
        self._close(deployment.id, at)
        self.history.append(Revision(deployment.id, deployment.serves, at, None, deployment.served_model))

    def _close(self, deployment_id: uuid.UUID, at: datetime) -> None:
        self.history = [
            replace(r, valid_to=at) if r.deployment_id == deployment_id and r.valid_to is None else r
            for r in self.history
        ]

    async def revisions(self, user_id: uuid.UUID, deployment_id: uuid.UUID) -> list[Revision]:
        return [r for r in self.history if r.deployment_id == deployment_id]

    async def purge_user(self, user_id: uuid.UUID) -> list[uuid.UUID]:
        gone = [d.id for d in self.rows.values() if d.user_id == user_id]
        for deployment_id in gone:
            del self.rows[deployment_id]
        return gone


class InMemoryServingUoW:
    """Shares one store and outbox across units of work; ``commits`` counts committed ones."""

    def __init__(self) -> None:
        self.deployments = InMemoryDeployments()
        self.outbox = RecordingOutbox()
        self.commits = 0

    def __call__(self) -> InMemoryServingUoW:
        return self

    async def __aenter__(self) -> InMemoryServingUoW:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        self.commits += 1


class FakeModelVersions:
    def __init__(self) -> None:
        self.versions: dict[uuid.UUID, tuple[uuid.UUID, ModelVersionRef]] = {}

    def add(
        self, user_id: uuid.UUID, model_id: uuid.UUID, version: int, served_model: str | None = "test-model"
    ) -> ModelVersionRef:
        ref = ModelVersionRef(model_id, uuid.uuid4(), version, served_model)
        self.versions[ref.version_id] = (user_id, ref)
        return ref

    async def get(self, user_id: uuid.UUID, version_id: uuid.UUID) -> ModelVersionRef | None:
        found = self.versions.get(version_id)
        return found[1] if found and found[0] == user_id else None


class ReversibleSecretBox:
    """Not encryption: lets tests see what was sealed."""

    def seal(self, plaintext: str) -> bytes:
        return b"sealed:" + plaintext.encode()

    def open(self, ciphertext: bytes) -> str:
        return ciphertext.removeprefix(b"sealed:").decode()


class ScriptedBackend:
    """Answers probes with ``healthy``; remembers the targets it probed."""

    def __init__(self) -> None:
        self.healthy = True
        self.probed: list[UpstreamTarget] = []
        self.released: list[uuid.UUID] = []

    async def prepare(self, deployment: Deployment) -> str:
        return deployment.upstream_url

    async def probe(self, kind: str, target: UpstreamTarget) -> ProbeOutcome:
        self.probed.append(target)
        return ProbeOutcome(self.healthy, None if self.healthy else "the model server could not be reached")

    async def release(self, deployment: Deployment) -> None:
        self.released.append(deployment.id)


class StaticResolver:
    def __init__(self, answers: dict[str, list[str]] | None = None) -> None:
        self.answers = answers or {}

    async def resolve(self, host: str, port: int) -> list[CheckedAddress]:
        if host not in self.answers:
            raise OSError(f"{host} does not resolve")
        return [CheckedAddress(a, socket.AF_INET6 if ":" in a else socket.AF_INET) for a in self.answers[host]]


class RecordingLogWriter:
    """Keeps what was written; ``fail_next`` makes the next writes raise (a database outage)."""

    def __init__(self) -> None:
        self.records: list[InferenceRecord] = []
        self.usage: list[UsageEventIn] = []
        self.batches = 0
        self.fail_next = 0

    async def write(self, batch: Sequence[tuple[InferenceRecord, Sequence[UsageEventIn]]]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("database unavailable")
        self.batches += 1
        self.records.extend(record for record, _ in batch)
        self.usage.extend(event for _, usage in batch for event in usage)


def inference_record(
    prompt: int | None = 3, completion: int | None = 5, deployment_id: uuid.UUID | None = None
) -> InferenceRecord:
    """A finished call, as the proxy logs it."""
    return InferenceRecord(
        id=uuid.uuid4(),
        request_id="req",
        user_id=uuid.uuid4(),
        deployment_id=deployment_id or uuid.uuid4(),
        model_version_id=uuid.uuid4(),
        api_key_id=None,
        endpoint="chat.completions",
        stream=False,
        status_code=200,
        latency_ms=1.5,
        upstream_latency_ms=1.0,
        prompt_tokens=prompt,
        completion_tokens=completion,
        error=None,
        created_at=datetime(2026, 11, 26, tzinfo=UTC),
    )


class FakeUpstreamStream:
    def __init__(self, status_code: int, chunks: list[bytes], broken: bool = False) -> None:
        self.status_code = status_code
        self.content_type = "text/event-stream"
        self.first_byte_ms = 1.0
        self._chunks = chunks
        self._broken = broken
        self.closed = False

    async def chunks(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk
        if self._broken:
            raise UpstreamUnavailable("the model server could not be reached")

    async def read(self) -> bytes:
        return b"".join(self._chunks)

    async def aclose(self) -> None:
        self.closed = True


class ScriptedUpstream:
    """Answers calls with ``reply`` (or raises ``error``); streams with ``stream``. Remembers the bodies sent."""

    def __init__(self) -> None:
        self.reply = UpstreamReply(200, b'{"usage":{"prompt_tokens":2,"completion_tokens":4}}', "application/json", 3.0)
        self.stream = FakeUpstreamStream(200, [])
        self.error: Exception | None = None
        self.sent: list[tuple[str, str, bytes]] = []

    async def call(self, target: UpstreamTarget, path: str, body: bytes) -> UpstreamReply:
        self.sent.append((target.url, path, body))
        if self.error is not None:
            raise self.error
        return self.reply

    async def open_stream(self, target: UpstreamTarget, path: str, body: bytes) -> FakeUpstreamStream:
        self.sent.append((target.url, path, body))
        if self.error is not None:
            raise self.error
        return self.stream


class MemoryBlobStorage:
    """The BlobStorage port in memory (the real adapters pass the same contract suite)."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.open_writers = 0

    async def writer(self, key: str) -> MemoryBlobWriter:
        self.open_writers += 1
        return MemoryBlobWriter(self, key)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        if key not in self.blobs:
            raise KeyError(key)
        yield self.blobs[key][start:end]

    async def size(self, key: str) -> int | None:
        return len(self.blobs[key]) if key in self.blobs else None

    async def delete(self, key: str) -> None:
        self.blobs.pop(key, None)

    async def delete_prefix(self, prefix: str) -> int:
        doomed = [key for key in self.blobs if key.startswith(prefix)]
        for key in doomed:
            del self.blobs[key]
        return len(doomed)


class MemoryBlobWriter:
    def __init__(self, storage: MemoryBlobStorage, key: str) -> None:
        self.storage = storage
        self.key = key
        self.data = bytearray()
        self.done = False

    async def write(self, chunk: bytes) -> None:
        self.data += chunk

    async def commit(self) -> None:
        self.storage.blobs[self.key] = bytes(self.data)
        self._close()

    async def abort(self) -> None:
        self._close()

    def _close(self) -> None:
        if not self.done:
            self.done = True
            self.storage.open_writers -= 1


class MemoryFileRepository:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, StoredFile] = {}

    async def add(self, file: StoredFile) -> None:
        self.rows[file.id] = file

    async def get(self, user_id: uuid.UUID, file_id: uuid.UUID) -> StoredFile | None:
        found = self.rows.get(file_id)
        return found if found is not None and found.user_id == user_id else None

    async def list_page(
        self, user_id: uuid.UUID, purpose: str | None, after: uuid.UUID | None, limit: int, newest_first: bool
    ) -> list[StoredFile]:
        mine = sorted(
            (f for f in self.rows.values() if f.user_id == user_id and purpose in (None, f.purpose)),
            key=lambda f: (f.created_at, f.id),
            reverse=newest_first,
        )
        if after is not None:
            ids = [f.id for f in mine]
            mine = mine[ids.index(after) + 1 :] if after in ids else []
        return mine[:limit]

    async def delete(self, user_id: uuid.UUID, file_id: uuid.UUID) -> StoredFile | None:
        found = await self.get(user_id, file_id)
        if found is not None:
            del self.rows[file_id]
        return found

    async def used_bytes(self, user_id: uuid.UUID, *, lock: bool) -> int:
        return sum(f.size_bytes for f in self.rows.values() if f.user_id == user_id)

    async def delete_all(self, user_id: uuid.UUID) -> list[str]:
        doomed = [f for f in self.rows.values() if f.user_id == user_id]
        for f in doomed:
            del self.rows[f.id]
        return [f.storage_key for f in doomed]


class MemoryFilesUnitOfWork:
    """Files and the outbox in memory; what a transaction did is kept only if it commits."""

    def __init__(self, files: MemoryFileRepository, outbox: RecordingOutbox) -> None:
        self._committed_files = files
        self._committed_outbox = outbox
        self.datasets: Any = None  # the Files use case never touches datasets

    async def __aenter__(self) -> MemoryFilesUnitOfWork:
        self.files = MemoryFileRepository()
        self.files.rows = dict(self._committed_files.rows)
        self.outbox = RecordingOutbox()
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        self._committed_files.rows = self.files.rows
        self._committed_outbox.audits += self.outbox.audits
        self._committed_outbox.usages += self.outbox.usages
        self._committed_outbox.jobs += self.outbox.jobs


class InMemoryTuneJobs:
    """The tune job repository in memory (newest first by (created_at, id), like the SQL one)."""

    def __init__(self) -> None:
        self.jobs: dict[uuid.UUID, TuneJob] = {}
        self.events_by_job: dict[uuid.UUID, list[TuneEvent]] = {}
        self.model_of: dict[uuid.UUID, uuid.UUID] = {}
        self.made_by: dict[uuid.UUID, tuple[uuid.UUID, int]] = {}
        self.artifact_uris: dict[uuid.UUID, str] = {}

    async def add(self, job: TuneJob) -> None:
        self.jobs[job.id] = job

    async def get(self, user_id: uuid.UUID, job_id: uuid.UUID) -> TuneJob | None:
        job = self.jobs.get(job_id)
        return job if job is not None and job.user_id == user_id else None

    async def page(self, user_id: uuid.UUID, after: uuid.UUID | None, limit: int) -> list[TuneJob]:
        mine = sorted(
            (j for j in self.jobs.values() if j.user_id == user_id), key=lambda j: (j.created_at, j.id), reverse=True
        )
        if after is not None:
            ids = [j.id for j in mine]
            mine = mine[ids.index(after) + 1 :] if after in ids else []
        return mine[:limit]

    async def save(self, job: TuneJob) -> None:
        self.jobs[job.id] = job

    async def add_event(self, event: TuneEvent) -> None:
        self.events_by_job.setdefault(event.job_id, []).append(event)

    async def events(
        self, user_id: uuid.UUID, job_id: uuid.UUID, after: uuid.UUID | None, limit: int
    ) -> list[TuneEvent]:
        events = [e for e in reversed(self.events_by_job.get(job_id, [])) if e.user_id == user_id]
        if after is not None:
            ids = [e.id for e in events]
            events = events[ids.index(after) + 1 :] if after in ids else []
        return events[:limit]

    async def model_of_version(self, version_id: uuid.UUID) -> uuid.UUID:
        return self.model_of[version_id]

    async def artifact_uri_of_version(self, version_id: uuid.UUID) -> str | None:
        return self.artifact_uris.get(version_id)

    async def version_made_by(self, job_id: uuid.UUID) -> tuple[uuid.UUID, int] | None:
        return self.made_by.get(job_id)


class InMemoryTuneUoW:
    """``uow()`` gives itself; ``commits`` counts commits."""

    def __init__(self, outbox: RecordingOutbox | None = None) -> None:
        self.jobs = InMemoryTuneJobs()
        self.outbox = outbox or RecordingOutbox()
        self.commits = 0

    def __call__(self) -> InMemoryTuneUoW:
        return self

    async def __aenter__(self) -> InMemoryTuneUoW:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        self.commits += 1


class WorkerKilled(Exception):
    """What ScriptedTrainer raises to play a worker that died right after the trainer took a job."""


class ScriptedTrainer:
    """The trainer port in memory. Polls answer ``states`` in order (the last one repeats);
    ``started`` records (tune job id, training, validation); with ``die_after_start`` set, the next
    start takes the job and then raises WorkerKilled, before the runner can save the id; with
    ``refusal`` set, starts raise TrainerRefused."""

    def __init__(self, states: Sequence[str] = ("queued", "running", "succeeded")) -> None:
        self.states = list(states)
        self.jobs: dict[str, uuid.UUID] = {}
        self.started: list[tuple[uuid.UUID, bytes, bytes | None]] = []
        self.base_models: list[str] = []
        self.polls = 0
        self.cancelled: list[str] = []
        self.die_after_start = False
        self.refusal: str | None = None

    async def find(self, job_id: uuid.UUID) -> str | None:
        return next((external for external, tune_job in self.jobs.items() if tune_job == job_id), None)

    async def start(self, job: TuneJob, base_model: str, training: bytes, validation: bytes | None) -> str:
        if self.refusal is not None:
            raise TrainerRefused(self.refusal)
        external = f"ftjob-{len(self.jobs) + 1}"
        self.jobs[external] = job.id
        self.base_models.append(base_model)
        self.started.append((job.id, training, validation))
        if self.die_after_start:
            self.die_after_start = False
            raise WorkerKilled
        return external

    async def poll(self, external_id: str) -> TrainerState:
        status = self.states[min(self.polls, len(self.states) - 1)]
        self.polls += 1
        if status == "succeeded":
            return TrainerState(status, trained_tokens=99, fine_tuned_model=f"ft:{external_id}")
        return TrainerState(status, error="diverged" if status == "failed" else None)

    async def cancel(self, external_id: str) -> None:
        self.cancelled.append(external_id)


class FakeVersionRegistrar:
    """Registers versions of one model named ``base``, numbered from 2 (1 is the base)."""

    def __init__(self) -> None:
        self.created: list[NewVersion] = []

    async def create(self, user_id: uuid.UUID, ref: ModelRef, request: NewVersion) -> ModelVersion:
        self.created.append(request)
        at = datetime(2026, 11, 26, tzinfo=UTC)
        model_id = ref if isinstance(ref, uuid.UUID) else uuid.uuid4()
        return ModelVersion(
            uuid.uuid4(), model_id, user_id, "base", len(self.created) + 1, request.description,
            request.artifact, request.source, "ready", None, {}, request.metrics, {}, at, at,
        )  # fmt: skip

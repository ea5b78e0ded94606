"""Metrics and tracing every service inherits from the runtime glue.

``/metrics`` counts requests by route template (never the raw path), with the status the client
got; it reports the DB pool and the job queue (outbox backlog and age). The worker counts job
time and failures. With an OTLP endpoint set, requests become spans sent to the collector, and
the trace context travels on service-to-service calls and in outbox jobs.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.params import FromPath
from litestar.testing import AsyncTestClient
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from pgqueuer.models import Job
from sqlalchemy import text

from mlp.common.auth.litestar import PUBLIC
from mlp.common.auth.whoami import whoami
from mlp.common.runtime.database import create_engine
from mlp.common.runtime.http import service_http_client
from mlp.common.runtime.outbox import Outbox
from mlp.common.runtime.service_app import build_service_app
from mlp.common.runtime.tracing import enable_tracing
from mlp.common.runtime.worker import Backoff, retrying


@get("/things/{name:str}", opt=PUBLIC, sync_to_thread=False)
def thing(name: FromPath[str]) -> dict[str, str]:
    return {"name": name}


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 when absent)."""
    for line in metrics.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def app_on(database_url: str, otlp_endpoint: str = "") -> Litestar:
    return build_service_app(
        name="registry",
        package="mlp.registry",
        schema="registry",
        database_url=database_url,
        db_pool_size=3,
        route_handlers=[thing, whoami],
        otlp_endpoint=otlp_endpoint,
    )


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app_on(database_url)) as c:
        c.app.state.resolver = None  # public routes only
        yield c


async def test_requests_are_counted_by_route_template_and_real_status(client: AsyncTestClient[Litestar]) -> None:
    before = (await client.get("/metrics")).text
    await client.get("/things/first")
    await client.get("/things/second")
    await client.get("/no/such/route")  # not a series of its own
    after = (await client.get("/metrics")).text

    template = {"app_name": "registry", "method": "GET", "path": "/things/{name}", "status_code": "200"}
    assert sample(after, "mlp_requests_total", **template) - sample(before, "mlp_requests_total", **template) == 2
    assert sample(after, "mlp_request_duration_seconds_count", **template) >= 2
    assert "/things/first" not in after
    assert sample(after, "mlp_db_pool_size", service="registry") == 3


async def test_a_refusal_of_the_auth_middleware_is_counted_with_its_status(
    client: AsyncTestClient[Litestar],
) -> None:
    labels = {"app_name": "registry", "method": "GET", "path": "/v1/whoami", "status_code": "401"}
    before = sample((await client.get("/metrics")).text, "mlp_requests_total", **labels)
    assert (await client.get("/v1/whoami")).status_code == 401
    after = sample((await client.get("/metrics")).text, "mlp_requests_total", **labels)
    assert after - before == 1


async def test_the_queue_backlog_and_its_age_are_reported(client: AsyncTestClient[Litestar], database_url: str) -> None:
    entrypoint = f"metrics.test.{uuid.uuid4().hex[:8]}"  # no worker takes it
    engine = create_engine(database_url, pool_size=1)
    async with engine.begin() as conn:
        await Outbox(conn, "registry").enqueue(entrypoint, [b"a", b"b"])
    try:
        metrics = (await client.get("/metrics")).text
        assert sample(metrics, "mlp_queue_jobs", service="registry", entrypoint=entrypoint, status="queued") == 2
        assert sample(metrics, "mlp_queue_oldest_queued_seconds", entrypoint=entrypoint) >= 0
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM registry.pgqueuer WHERE entrypoint = :e"), {"e": entrypoint})
        await engine.dispose()


def a_job(entrypoint: str, headers: dict[str, object] | None = None) -> Job:
    now = datetime.now(UTC)
    return Job(
        id=1,
        priority=0,
        created=now,
        updated=now,
        heartbeat=now,
        execute_after=now,
        status="picked",
        entrypoint=entrypoint,
        payload=b"{}",
        queue_manager_id=None,
        headers=headers,
    )


async def test_the_worker_counts_job_time_and_failures() -> None:
    from prometheus_client import REGISTRY

    entrypoint = f"metrics.job.{uuid.uuid4().hex[:8]}"

    async def fails(payload: bytes) -> None:
        raise RuntimeError("receiver down")

    async def works(payload: bytes) -> None:
        return None

    await retrying(entrypoint, works, Backoff(1, 1))(a_job(entrypoint))
    with pytest.raises(Exception, match="receiver down"):
        await retrying(entrypoint, fails, Backoff(1, 1))(a_job(entrypoint))

    count = REGISTRY.get_sample_value("mlp_job_duration_seconds_count", {"entrypoint": entrypoint})
    failures = REGISTRY.get_sample_value("mlp_job_failures_total", {"entrypoint": entrypoint, "outcome": "retry"})
    assert (count, failures) == (2, 1)


# --- tracing ---------------------------------------------------------------------------------


class Recorder(BaseHTTPRequestHandler):
    """Stands in for an OTLP collector (and any peer service): records what it is sent."""

    received: list[tuple[str, dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        Recorder.received.append((self.path, dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def recorder() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


async def test_with_an_otlp_endpoint_requests_become_spans_and_the_context_travels(
    recorder: str, database_url: str
) -> None:
    endpoint = f"{recorder}/v1/traces"
    provider = enable_tracing("registry", endpoint)
    assert provider is not None
    async with AsyncTestClient(app=app_on(database_url, otlp_endpoint=endpoint)) as client:
        assert (await client.get("/things/traced")).status_code == 200

    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("caller") as span:
        trace_id = format(span.get_span_context().trace_id, "032x")
        async with service_http_client() as http:
            await http.get(f"{recorder}/peer")
        engine = create_engine(database_url, pool_size=1)
        async with engine.begin() as conn:
            await Outbox(conn, "registry").enqueue("metrics.traced", [b"x"])
            headers = (
                await conn.execute(text("SELECT headers FROM registry.pgqueuer WHERE entrypoint = 'metrics.traced'"))
            ).scalar_one()
            await conn.execute(text("DELETE FROM registry.pgqueuer WHERE entrypoint = 'metrics.traced'"))
        await engine.dispose()
    seen_by_job: list[str] = []

    async def handler(payload: bytes) -> None:
        seen_by_job.append(format(trace.get_current_span().get_span_context().trace_id, "032x"))

    await retrying("metrics.traced", handler, Backoff(1, 1))(a_job("metrics.traced", headers=headers))
    assert seen_by_job == [trace_id]  # the worker continues the trace that queued the job
    provider.force_flush()  # type: ignore[attr-defined]

    peer = [h for path, h, _ in Recorder.received if path == "/peer"]
    assert re.fullmatch(f"00-{trace_id}-[0-9a-f]{{16}}-[0-9a-f]{{2}}", peer[-1]["traceparent"])
    assert headers["traceparent"].startswith(f"00-{trace_id}-")
    spans = []
    for path, _, body in Recorder.received:
        if path == "/v1/traces":
            export = ExportTraceServiceRequest.FromString(body)
            spans += [s.name for r in export.resource_spans for ss in r.scope_spans for s in ss.spans]
    assert any(name.startswith("GET /things/{name}") for name in spans), spans

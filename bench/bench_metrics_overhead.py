"""Issue "Auth hardening" (observability): what the Prometheus request metrics cost on ``/healthz``.

``/healthz`` does nothing but answer, so the difference is the metrics middleware itself (the
route's series, a counter and a histogram per request). The same service stack is built with and
without it and driven in process (ASGI calls, no sockets): on two cores shared with other work,
wrk runs against two servers swung from 0.4 to 0.8 for the same code, while in-process rounds,
interleaved, taking each side's best, are stable to a few percent. Prints microseconds per request
and the throughput ratio with/without (goal: >= 0.9).
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from harness import bench_database
from litestar import Litestar
from litestar.testing import AsyncTestClient
from metrics_overhead_app import create_app_with_metrics, create_app_without_metrics

ROUNDS, REQUESTS = 9, 3000
SCOPE: dict[str, Any] = {
    "type": "http",
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": "/healthz",
    "raw_path": b"/healthz",
    "query_string": b"",
    "root_path": "",
    "headers": [(b"host", b"bench")],
    "client": ("127.0.0.1", 50000),
    "server": ("127.0.0.1", 8002),
}


async def microseconds_per_request(app: Litestar) -> float:
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started = time.perf_counter()
    for _ in range(REQUESTS):
        await app(dict(SCOPE), receive, send)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    assert set(statuses) == {200}, set(statuses)
    return elapsed / REQUESTS * 1e6


async def measure() -> dict[str, float]:
    apps = {"with": create_app_with_metrics(), "without": create_app_without_metrics()}
    best = {name: float("inf") for name in apps}
    async with AsyncTestClient(apps["with"]) as with_client, AsyncTestClient(apps["without"]):
        for _ in range(ROUNDS):
            for name, app in apps.items():
                best[name] = min(best[name], await microseconds_per_request(app))
        counted = (await with_client.get("/metrics")).text
    assert 'path="/healthz"' in counted
    return best


def main() -> None:
    with bench_database(["registry"]) as database_url:
        os.environ["DATABASE_URL"] = database_url
        os.environ["ENVIRONMENT"] = "development"  # registry's peers are left at their loopback defaults
        best = asyncio.run(measure())
    print(f"GET /healthz in process, best of {ROUNDS} interleaved rounds of {REQUESTS} requests")
    print(f"without request metrics: {best['without']:7.1f} us/request")
    print(f"with request metrics:    {best['with']:7.1f} us/request")
    print(f"ratio with/without:      {best['without'] / best['with']:7.3f}   (throughput; goal >= 0.9)")


if __name__ == "__main__":
    main()

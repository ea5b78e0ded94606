"""httpx clients for calls between services: explicit timeouts, retried connection errors, and
the caller's trace context on every request (when tracing is on)."""

from __future__ import annotations

import httpx

from mlp.common.runtime.tracing import inject_trace_context


def service_http_client(timeout_seconds: float = 5.0, retries: int = 2, base_url: str = "") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 2.0)),
        transport=httpx.AsyncHTTPTransport(retries=retries),
        event_hooks={"request": [inject_trace_context]},
    )

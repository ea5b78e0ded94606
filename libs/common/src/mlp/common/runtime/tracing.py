"""OpenTelemetry tracing, off unless ``OTLP_ENDPOINT`` (or ``<SERVICE>_OTLP_ENDPOINT``) is set.

With an endpoint (an OTLP/HTTP collector's traces URL, ``http://otel-collector:4318/v1/traces``)
a service's API gets Litestar's OpenTelemetry plugin (a server span per request, named by route
template) and spans are batched to the collector. The W3C trace context then travels on every
service-to-service httpx call (``inject_trace_context``, an event hook of ``service_http_client``)
and in every job the outbox writes (pgqueuer's ``otel`` job header), and the worker continues the
trace around the job's handler, so a request, the events it caused and their delivery are one
trace. Without an endpoint nothing is recorded and no header is added.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from litestar.plugins import PluginProtocol
from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
from litestar.types import Scope
from opentelemetry import propagate, trace
from opentelemetry.context import Context

_configured: dict[str, trace.TracerProvider] = {}


def enable_tracing(service: str, otlp_endpoint: str) -> trace.TracerProvider | None:
    """The process's tracer provider exporting to ``otlp_endpoint``, set up once; None when empty."""
    if not otlp_endpoint:
        return None
    if otlp_endpoint not in _configured:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider = TracerProvider(resource=Resource.create({SERVICE_NAME: f"mlp-{service}"}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
        trace.set_tracer_provider(provider)
        _configured[otlp_endpoint] = provider
    return _configured[otlp_endpoint]


def tracing_plugins(service: str, otlp_endpoint: str) -> list[PluginProtocol]:
    provider = enable_tracing(service, otlp_endpoint)
    if provider is None:
        return []
    return [OpenTelemetryPlugin(OpenTelemetryConfig(tracer_provider=provider))]


def name_span_by_route(scope: Scope) -> None:
    """Rename the request's span ``GET /v1/files/{file_id}`` once the route is known.

    The plugin opens the span before routing, named by the raw path (ids included: unbounded
    names); a middleware that runs after routing calls this.
    """
    span = trace.get_current_span()
    if span.is_recording():
        template = scope.get("path_template") or scope["path"]
        span.update_name(f"{scope.get('method', 'WS')} {template}")
        span.set_attribute("http.route", template)


async def inject_trace_context(request: httpx.Request) -> None:
    """httpx request hook: ``traceparent`` (and ``tracestate``) of the current span, if any."""
    propagate.inject(request.headers)


def trace_headers() -> dict[str, str]:
    """The current trace context as a carrier (empty outside a recorded span)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def continued_trace(name: str, carrier: dict[str, object] | None) -> Iterator[None]:
    """A span ``name`` in the trace ``carrier`` came from (a new trace when there is none)."""
    parent: Context = propagate.extract({k: str(v) for k, v in (carrier or {}).items()})
    with trace.get_tracer("mlp.worker").start_as_current_span(name, context=parent):
        yield

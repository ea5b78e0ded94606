"""12-factor settings: a msgspec Struct filled from environment variables.

Field ``database_url`` of service ``registry`` reads ``REGISTRY_DATABASE_URL``, then
``DATABASE_URL``, then the Struct's default, so one server can host every service in
development while production gives each its own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import ClassVar, TypeVar

import msgspec

from mlp.common.runtime.development_settings import is_loopback_url, refuse_development_settings

SettingsT = TypeVar("SettingsT", bound="ServiceSettings")


class ServiceSettings(msgspec.Struct, frozen=True, kw_only=True):
    """What every service reads; each service subclasses it with its own fields."""

    peer_url_fields: ClassVar[tuple[str, ...]] = ()
    """The settings holding the base URLs of the services (or APIs) this one calls."""

    environment: str = "production"
    """``development`` (``make run``, tests) allows loopback peer URLs and the built-in development
    keys; any other value refuses to start with them."""
    database_url: str = "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/mlp"
    db_pool_size: int = 20
    identity_url: str = "http://127.0.0.1:8001"
    billing_url: str = "http://127.0.0.1:8004"
    """Where the outbox relay delivers usage events."""
    service_credential: str = ""
    """This service's ``mlpsvc_<service>_<secret>``: how it calls identity without a user."""
    auth_cache_ttl_seconds: float = 3.0
    """How long a service trusts identity's answer for a credential (at most 3 s: revocation reaches it within 5 s)."""
    http_timeout_seconds: float = 5.0
    http_retries: int = 2
    egress_allow: str = ""
    """Comma-separated networks (``127.0.0.0/8``) and host names user-supplied URLs may reach besides
    the internet; loopback, private ranges and cluster names are refused otherwise, link-local and
    cloud metadata addresses always (``mlp.common.egress``)."""
    log_level: str = "INFO"
    otlp_endpoint: str = ""
    """OTLP/HTTP traces URL (``http://otel-collector:4318/v1/traces``); empty: tracing off."""
    worker_metrics_port: int = 0
    worker_db_pool_size: int = 4
    """Connections of ``mlp worker``: its queue's pool and its handlers' engine, each (count them in
    the database's connection budget with DB_POOL_SIZE x API pods)."""
    """Where ``mlp worker`` serves its Prometheus metrics (job latency, failures); 0: not served."""
    http_keep_alive_seconds: int = 75
    """How long uvicorn keeps an idle connection: longer than the gateway's upstream keepalive_timeout
    (60 s), so nginx, never uvicorn, closes it and no request goes out on a connection just closed."""
    host: str = "127.0.0.1"
    port: int = 8000
    serve_child_timeout_seconds: int = 60
    """How long ``mlp serve --workers N`` waits for a child process to answer its supervisor before
    replacing it: uvicorn's 5 s killed children still importing the app on a busy machine, in a loop."""
    worker_liveness_file: str = ""
    """When set, ``mlp worker`` touches this file every 5 s from its event loop (the liveness probe reads its age)."""
    outbox_retry_base_seconds: float = 1.0
    """First retry delay of a failed job; doubled per attempt (with jitter) up to the cap."""
    outbox_retry_max_seconds: float = 300.0
    """Cap of the retry delay: a receiver down for days is still retried every 5 minutes."""
    outbox_heartbeat_timeout_seconds: float = 30.0
    """A job whose worker sent no heartbeat for this long (killed) is picked up by another."""
    retention_interval_seconds: float = 3600.0
    """How often ``mlp worker`` deletes what outlived its retention (one replica at a time)."""
    retention_batch_size: int = 5000
    """Rows deleted per statement (one short transaction each)."""
    retention_finished_jobs_days: float = 14.0
    """How long the queue's log of finished jobs (``pgqueuer_log``) is kept."""
    retention_received_events_days: float = 30.0
    """How long an inbox remembers an event id (redeliveries come within minutes)."""
    migration_lock_timeout_seconds: float = 5.0
    """How long one migration statement waits for a table lock held by live traffic before failing
    (the migration Job retries) instead of queueing every later query behind it."""
    outbox_dequeue_timeout_seconds: float = 10.0
    """The worker's longest wait for a NOTIFY before it polls the queue anyway (how it finds a dead
    worker's job: recovered within heartbeat timeout + this)."""

    def peer_urls(self) -> dict[str, str]:
        """Environment variable -> URL of every peer this service calls."""
        return {name.upper(): getattr(self, name) for name in self.peer_url_fields}

    def development_only(self) -> list[str]:
        """What in these settings only a development run may have (one sentence each); a subclass adds its own."""
        return [
            f"{name} is a loopback address ({url}): set the peer's address"
            for name, url in self.peer_urls().items()
            if is_loopback_url(url)
        ]


def load_settings(cls: type[SettingsT], service: str, environ: Mapping[str, str] | None = None) -> SettingsT:
    env = os.environ if environ is None else environ
    values: dict[str, str] = {}
    for field in msgspec.structs.fields(cls):
        name = field.name.upper()
        value = env.get(f"{service.upper()}_{name}", env.get(name))
        if value is not None:
            values[field.name] = value
    settings = msgspec.convert(values, type=cls, strict=False)
    refuse_development_settings(settings.environment, settings.development_only(), service)
    return settings

"""Running the services (and their workers) as real processes on loopback (``make run``, e2e tests, bench)."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from mlp.common.runtime.cli import DEFAULT_PORTS, SERVICES
from mlp.devtools.gateway import gateway_credential

WORKERS = ("identity", "registry", "evaluation", "billing")
"""Services with a background worker (``mlp worker <service>``), started next to their API."""


def new_service_credentials() -> dict[str, str]:
    return {s: f"mlpsvc_{s}_{secrets.token_urlsafe(24).replace('_', '-')}" for s in SERVICES}


def platform_env(
    database_url: str,
    base_port_offset: int = 0,
    credentials: Mapping[str, str] | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Environment shared by all four services: one database, the services' credentials, their URLs."""
    credentials = credentials or new_service_credentials()
    env = {
        "DATABASE_URL": database_url,
        "IDENTITY_URL": f"http://127.0.0.1:{DEFAULT_PORTS['identity'] + base_port_offset}",
        "BILLING_URL": f"http://127.0.0.1:{DEFAULT_PORTS['billing'] + base_port_offset}",
        "REGISTRY_URL": f"http://127.0.0.1:{DEFAULT_PORTS['registry'] + base_port_offset}",
        # the services' and the gateway's: identity hands platform tokens to those callers only
        "IDENTITY_SERVICE_CREDENTIALS": ",".join(
            [*(credentials[s] for s in SERVICES if s != "identity"), gateway_credential()]
        ),
        # a development run: loopback peers and the built-in development keys (identity's pepper and
        # signing-key KEK, registry's credential key) are allowed
        "ENVIRONMENT": "development",
    }
    env.update({f"{s.upper()}_SERVICE_CREDENTIAL": credentials[s] for s in SERVICES})
    env.update({f"{s.upper()}_PORT": str(DEFAULT_PORTS[s] + base_port_offset) for s in SERVICES})
    env["IDENTITY_USER_DELETED_SUBSCRIBERS"] = ",".join(
        f"{s}=http://127.0.0.1:{DEFAULT_PORTS[s] + base_port_offset}" for s in SERVICES if s != "identity"
    )
    env.update(extra or {})
    return env


@dataclass
class ServiceProcess:
    """A service's HTTP API (``mlp serve``), or with ``worker=True`` its worker (``mlp worker``)."""

    service: str
    port: int
    env: Mapping[str, str]
    worker: bool = False
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log: int | None = None) -> ServiceProcess:
        command = [sys.executable, "-m", "mlp.common.runtime.cli", "serve", self.service, "--port", str(self.port)]
        if self.worker:
            command = [sys.executable, "-m", "mlp.common.runtime.cli", "worker", self.service]
        self.process = subprocess.Popen(command, env={**os.environ, **self.env}, stdout=log, stderr=log)
        return self

    def wait_healthy(self, timeout: float = 30.0) -> None:
        if self.worker:  # no port to probe: alive is all a worker can show
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.service} worker exited")
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.service} exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.service} not healthy on {self.url} after {timeout}s")

    def stop(self, timeout: float = 10.0) -> None:
        stop_all([self], timeout)


def start_platform(
    env: Mapping[str, str], services: tuple[str, ...] = SERVICES, workers: tuple[str, ...] = WORKERS
) -> list[ServiceProcess]:
    """The services' APIs, then, once they answer, the workers of those in ``workers`` (``worker=True``)."""
    processes: list[ServiceProcess] = []
    try:
        for service in services:  # one by one, so an interrupt in between still finds those started
            processes.append(ServiceProcess(service, int(env[f"{service.upper()}_PORT"]), env).start())
        for process in processes:
            process.wait_healthy(timeout=120)  # four interpreters importing at once on a busy 2-core machine
        processes += [ServiceProcess(s, 0, env, worker=True).start() for s in services if s in workers]
    except BaseException:  # Ctrl-C while waiting included: never leave a started service behind
        stop_all(processes)
        raise
    return processes


def stop_all(processes: list[ServiceProcess], timeout: float = 15.0) -> None:
    """SIGTERM to all at once (each shuts down gracefully), then wait; kill what outlives ``timeout``.

    A second Ctrl-C while stopping is ignored: interrupting here would orphan the services.
    """
    previous = (
        signal.signal(signal.SIGINT, signal.SIG_IGN) if threading.current_thread() is threading.main_thread() else None
    )
    try:
        running = [p.process for p in processes if p.process is not None and p.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)

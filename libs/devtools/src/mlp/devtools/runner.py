"""``make run``: the whole platform on this machine, in one command.

Uses ``DATABASE_URL`` when set, otherwise an embedded PostgreSQL under ``.data/postgres``;
migrates every service, starts the four services on their fixed ports and their workers, and
the gateway (nginx, the cluster's configuration) on 8080 in front of them when nginx is installed,
prints where their API docs are, and stops everything it started on Ctrl-C, the embedded
PostgreSQL included. Service credentials are kept in
``.data/secrets.json`` so a restart keeps the same ones.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from mlp.common.runtime.cli import SERVICES
from mlp.devtools.databases import migrate_all
from mlp.devtools.firebase_emulator import EMULATOR_HOST_ENV, FirebaseEmulator
from mlp.devtools.gateway import GATEWAY_PORT, NginxGateway, nginx_binary
from mlp.devtools.postgres import EmbeddedPostgresUnavailable, embedded_postgres_running
from mlp.devtools.processes import new_service_credentials, platform_env, start_platform, stop_all
from mlp.devtools.stand_ins import start_stand_ins
from mlp.devtools.stripe_webhook_secret import SECRET_ENV, banner_line, webhook_secret

DATA_DIR = Path(os.environ.get("MLP_DATA_DIR", ".data")).resolve()
PORT_OFFSET = int(os.environ.get("MLP_PORT_OFFSET", "0"))
"""Added to the services' ports (8001-8004), for a second platform on the same machine."""


def _service_credentials() -> dict[str, str]:
    saved = DATA_DIR / "secrets.json"
    if not saved.exists():
        saved.write_text(json.dumps(new_service_credentials()))
        saved.chmod(0o600)
    credentials: dict[str, str] = json.loads(saved.read_text())
    return credentials


def _firebase_emulator() -> FirebaseEmulator | None:
    """With no real Firebase project configured, sign-in goes to the Auth emulator (if installed)."""
    project = os.environ.get("IDENTITY_FIREBASE_PROJECT_ID", "demo-mlp")
    if os.environ.get(EMULATOR_HOST_ENV) or not project.startswith("demo-"):
        return None
    try:
        return FirebaseEmulator(project_id=project).start()
    except (OSError, RuntimeError, TimeoutError) as exc:
        print(f"Firebase Auth emulator not started ({exc}); sign-in will need a real project", flush=True)
        return None


def start_gateway(services: dict[str, int], port: int, started: ExitStack) -> list[str]:
    """The gateway (nginx, the cluster's routes) in front of the services: one base URL for every
    surface. Lines to print: where it is, or why there is none."""
    if nginx_binary() is None:
        return [
            "  gateway     not started: nginx is not installed (as root: apt-get install nginx);",
            "              call each service on its own URL below",
        ]
    gateway = NginxGateway(services, port).start()
    started.callback(gateway.stop)
    return [
        f"  gateway     {gateway.url}   one base URL for every surface (the cluster's routes):",
        f"              OpenAI clients: base_url={gateway.url}/v1   MLflow: MLFLOW_TRACKING_URI={gateway.url}",
    ]


def main() -> None:
    # Ctrl-C and SIGTERM stop everything, at any moment, even when a shell started this in the
    # background (which leaves SIGINT ignored: Python would not raise KeyboardInterrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: signal.raise_signal(signal.SIGINT))
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with ExitStack() as started:
        try:
            database_url = os.environ.get("DATABASE_URL") or started.enter_context(
                embedded_postgres_running(DATA_DIR / "postgres")
            )
            run_platform(database_url, started)
        except EmbeddedPostgresUnavailable as missing:
            sys.exit(f"make run: {missing}")
        except KeyboardInterrupt:
            print("stopping", flush=True)
    print("stopped.", flush=True)


def run_platform(database_url: str, started: ExitStack) -> None:
    """Migrate, start the services (the emulator and the stand-ins in ``started``), and wait for
    Ctrl-C or a service exiting."""
    print(f"database: {database_url}", flush=True)
    asyncio.run(migrate_all(database_url))
    print("migrated: " + ", ".join(SERVICES), flush=True)
    emulator = _firebase_emulator()
    if emulator:
        started.callback(emulator.stop)
    extra = {EMULATOR_HOST_ENV: emulator.host_port} if emulator else {}
    stand_in_env, stand_in_lines = start_stand_ins(started, PORT_OFFSET)
    extra.update(stand_in_env)
    # development: deployments, the trainer and webhooks may point at this machine (the egress guard's allow-list)
    extra.setdefault("EGRESS_ALLOW", "127.0.0.0/8,::1,localhost")
    extra[SECRET_ENV] = webhook_secret(DATA_DIR)
    env = platform_env(database_url, PORT_OFFSET, credentials=_service_credentials(), extra=extra)
    processes = start_platform(env)  # stops what it started when interrupted
    try:
        services = {p.service: p.port for p in processes if not p.worker}
        gateway_lines = start_gateway(services, GATEWAY_PORT + PORT_OFFSET, started)
        print("\nThe ML platform is up:")
        print("\n".join(gateway_lines))
        for process in processes:
            if process.worker:
                print(f"  {process.service:<11} worker (mlp worker {process.service})")
                continue
            print(f"  {process.service:<11} {process.url}   docs: {process.url}/schema  (swagger: /schema/swagger)")
        if emulator:
            print(f"  firebase    {emulator.url}   (Auth emulator: sign users up with its REST API, see README)")
        print("\n".join(stand_in_lines))
        billing = next(p for p in processes if p.service == "billing" and not p.worker)
        print(banner_line(billing.url, extra[SECRET_ENV]))
        print("\nCtrl-C stops everything.", flush=True)
        while all(p.process is not None and p.process.poll() is None for p in processes):
            time.sleep(0.5)
        print("a service exited; stopping the others", flush=True)
    finally:
        stop_all(processes)


if __name__ == "__main__":
    main()

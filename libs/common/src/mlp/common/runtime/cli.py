"""``mlp``: the one command a service's container or a developer runs.

    mlp migrate <service>          upgrade the service's schema to head
    mlp migrate <service> --downgrade-to REV   roll the schema back to revision REV (deploy/README)
    mlp serve <service> [--port N] run the service's HTTP API (uvicorn)
    mlp worker <service>           run the service's background worker (``mlp.<service>.worker:main``)

Services are found by name (``mlp.<service>.app:create_app``), so this module imports none.
"""

from __future__ import annotations

import argparse
import importlib
import os

import uvicorn

from mlp.common.runtime.multiprocess_metrics import shared_metrics_directory
from mlp.common.runtime.settings import ServiceSettings, load_settings

SERVICES = ("identity", "registry", "evaluation", "billing")
DEFAULT_PORTS = {"identity": 8001, "registry": 8002, "evaluation": 8003, "billing": 8004}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mlp")
    commands = parser.add_subparsers(dest="command", required=True)
    migrate = commands.add_parser("migrate", help="upgrade a service's schema to head")
    migrate.add_argument("service", choices=SERVICES)
    migrate.add_argument("--downgrade-to", metavar="REVISION", default=None)
    serve = commands.add_parser("serve", help="run a service's HTTP API")
    serve.add_argument("service", choices=SERVICES)
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
    worker = commands.add_parser("worker", help="run a service's background worker (queue consumer)")
    worker.add_argument("service", choices=SERVICES)
    args = parser.parse_args(argv)

    if args.command == "worker":
        module = f"mlp.{args.service}.worker"
        try:
            run_worker = importlib.import_module(module).main
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            parser.error(f"{args.service} has no worker")
        run_worker()
        return

    settings = load_settings(ServiceSettings, args.service)
    if args.command == "migrate":
        # imported here: each child of `serve --workers N` imports this module again before it can
        # answer its supervisor, and Alembic with SQLAlchemy is most of that time (4 of 4.6 s measured)
        from mlp.common.runtime.migrations import downgrade_to, upgrade_to_head

        package, timeout = f"mlp.{args.service}", settings.migration_lock_timeout_seconds
        if args.downgrade_to:
            downgrade_to(package, settings.database_url, args.downgrade_to, timeout)
        else:
            upgrade_to_head(package, settings.database_url, timeout)
        return
    with shared_metrics_directory(args.workers, args.service):
        uvicorn.run(
            f"mlp.{args.service}.app:create_app",
            factory=True,
            host=args.host or settings.host,
            port=args.port or int(os.environ.get(f"{args.service.upper()}_PORT", DEFAULT_PORTS[args.service])),
            workers=args.workers,
            timeout_worker_healthcheck=settings.serve_child_timeout_seconds,
            access_log=False,
            timeout_keep_alive=settings.http_keep_alive_seconds,
            log_level=settings.log_level.lower(),
        )


if __name__ == "__main__":
    main()

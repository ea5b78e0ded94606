"""The body of a service's migration that installs (or removes) its job queue.

pgqueuer installs its objects through its Python API on alembic's connection, inside the
migration's transaction. Its DDL has several statements (and a plpgsql body), which asyncpg
runs only through its simple-query path, hence the raw connection rather than ``op.execute``;
such a migration runs online only. pgqueuer is pinned (1.6.*): a release that changes its
schema takes a new migration running ``Queries.upgrade``.
"""

from __future__ import annotations

from typing import cast

import asyncpg
from alembic import op
from pgqueuer.db import AsyncpgDriver
from pgqueuer.queries import Queries
from sqlalchemy.util import await_

from mlp.common.runtime.queue import queue_queries


def _queries(schema: str) -> Queries:
    raw = cast(asyncpg.Connection, op.get_bind().connection.driver_connection)
    return queue_queries(AsyncpgDriver(raw), schema)


def install_queue(schema: str) -> None:
    await_(_queries(schema).install(create_schema=False))


def uninstall_queue(schema: str) -> None:
    await_(_queries(schema).uninstall())

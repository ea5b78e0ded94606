"""A statement compiled once and run on asyncpg answers as SQLAlchemy would, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB

from mlp.common.runtime.database import create_engine
from mlp.common.runtime.driver_statements import DriverStatement


async def test_a_row_comes_back_as_a_mapping_with_json_decoded(empty_database_url: str) -> None:
    statement = DriverStatement(
        select(
            (bindparam("n", type_=Integer) + 1).label("next"),
            cast(func.jsonb_build_object("k", bindparam("v", type_=String)), JSONB).label("doc"),
        )
    )
    engine = create_engine(empty_database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            row = await statement.fetchrow(conn, {"n": 41, "v": "value"})
    finally:
        await engine.dispose()
    assert row is not None
    assert (row["next"], row["doc"]) == (42, {"k": "value"})


async def test_inside_a_transaction_it_runs_in_that_transaction_first_statement_or_not(
    empty_database_url: str,
) -> None:
    started = DriverStatement(select(func.now().label("at")))
    engine = create_engine(empty_database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.begin()
            first = await started.fetchrow(conn, {})  # SQLAlchemy has sent no BEGIN yet
            later = await started.fetchrow(conn, {})  # on asyncpg, in the transaction begun
            through_sqlalchemy = (await conn.execute(select(func.now()))).scalar_one()
            await conn.rollback()
    finally:
        await engine.dispose()
    assert first is not None
    assert later is not None
    at: datetime = first["at"]
    assert at == later["at"] == through_sqlalchemy  # now() is the transaction's start: one transaction

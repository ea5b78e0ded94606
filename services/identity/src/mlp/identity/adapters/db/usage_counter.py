"""Quota counting in ``identity.api_key_usage``: one statement per request, shared by replicas.

Each window row is incremented only while under its limit (``WHERE count < limit``), so
concurrent requests on several identity instances never push a window past its limit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Update, and_, case, false, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from mlp.identity.adapters.db.tables import api_key_usage as usage
from mlp.identity.domain.api_keys import ApiKey
from mlp.identity.domain.quotas import QuotaDecision, QuotaWindow, minute_start, month_start, window_end


def _limits(key: ApiKey, now: datetime) -> list[tuple[str, int, datetime]]:
    windows = [
        ("minute", key.requests_per_minute, minute_start(now)),
        ("month", key.requests_per_month, month_start(now)),
    ]
    return [(kind, limit, start) for kind, limit, start in windows if limit is not None]


class SqlUsageCounter:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def count_request(self, key: ApiKey, now: datetime) -> QuotaDecision:
        """One autocommitted statement counts every window that still has room; if one was full,
        the others' increments are given back (rare), so a refused request costs nothing."""
        limits = _limits(key, now)
        if not limits:
            return QuotaDecision(allowed=True)
        limit_of = {kind: limit for kind, limit, _ in limits}
        rows = [{"api_key_id": key.id, "window_kind": k, "window_start": s, "count": 1} for k, _, s in limits]
        statement = insert(usage).values(rows)
        room = case(*((statement.excluded.window_kind == k, v) for k, v in limit_of.items()))
        counting = statement.on_conflict_do_update(
            index_elements=[usage.c.api_key_id, usage.c.window_kind, usage.c.window_start],
            set_={"count": usage.c.count + 1},
            where=usage.c.count < room,
        ).returning(usage.c.window_kind, usage.c.count)
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            counted: dict[str, int] = {kind: count for kind, count in (await conn.execute(counting)).all()}
            full = [(kind, start) for kind, _, start in limits if kind not in counted]
            if full:
                await conn.execute(_give_back(key, [(k, s) for k, _, s in limits if k in counted]))
                kind, start = full[0]
                return QuotaDecision(
                    False, (QuotaWindow(kind, limit_of[kind], limit_of[kind], window_end(kind, start)),)
                )
        windows = [QuotaWindow(k, limit, counted[k], window_end(k, start)) for k, limit, start in limits]
        return QuotaDecision(True, tuple(windows))

    async def usage(self, key: ApiKey, now: datetime) -> QuotaDecision:
        limits = _limits(key, now)
        windows = []
        async with self._engine.connect() as conn:
            for kind, limit, start in limits:
                used = await conn.scalar(
                    select(usage.c.count).where(
                        and_(usage.c.api_key_id == key.id, usage.c.window_kind == kind, usage.c.window_start == start)
                    )
                )
                windows.append(QuotaWindow(kind, limit, used or 0, window_end(kind, start)))
        return QuotaDecision(True, tuple(windows))


def _give_back(key: ApiKey, windows: list[tuple[str, datetime]]) -> Update:
    keys = [and_(usage.c.window_kind == kind, usage.c.window_start == start) for kind, start in windows]
    return update(usage).where(usage.c.api_key_id == key.id, or_(false(), *keys)).values(count=usage.c.count - 1)

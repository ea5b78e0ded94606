"""Quota leasing on an in-memory store, with a fake clock: exact small limits, one reservation per
lease for large ones, and refusals that cost no I/O until the window resets."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fakes import FakeUsageStore

from mlp.identity.application.quota_leases import LeasedUsageCounter
from mlp.identity.domain.api_keys import ApiKey

T0 = datetime(2026, 11, 26, 12, 0, 10, tzinfo=UTC)


def key(per_minute: int | None = None, per_month: int | None = None) -> ApiKey:
    return ApiKey(
        uuid.uuid4(), uuid.uuid4(), "k", "p", (), T0, requests_per_minute=per_minute, requests_per_month=per_month
    )


async def test_small_limits_are_exact_and_refusals_cost_no_reservation() -> None:
    store = FakeUsageStore()
    counter, limited = LeasedUsageCounter(store), key(per_minute=3)
    decisions = [await counter.count_request(limited, T0) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    reservations = store.reservations
    for _ in range(1000):
        assert not (await counter.count_request(limited, T0)).allowed
    assert store.reservations == reservations
    next_minute = await counter.count_request(limited, T0 + timedelta(minutes=1))
    assert next_minute.allowed


async def test_large_limits_reserve_a_lease_at_a_time() -> None:
    store = FakeUsageStore()
    counter, busy = LeasedUsageCounter(store), key(per_minute=100_000)
    for _ in range(2500):
        assert (await counter.count_request(busy, T0)).allowed
    assert store.reservations == 3  # leases of 1000


async def test_a_full_month_does_not_refuse_the_minute_early_nor_the_reverse() -> None:
    store = FakeUsageStore()
    counter, both = LeasedUsageCounter(store), key(per_minute=2, per_month=3)
    first = [await counter.count_request(both, T0) for _ in range(3)]
    assert [d.allowed for d in first] == [True, True, False]
    assert first[2].windows[0].kind == "minute"
    later = [await counter.count_request(both, T0 + timedelta(minutes=1)) for _ in range(2)]
    assert [d.allowed for d in later] == [True, False]
    assert later[1].windows[0].kind == "month"


async def test_replicas_share_the_window() -> None:
    store = FakeUsageStore()
    shared = key(per_minute=4)
    replicas = [LeasedUsageCounter(store), LeasedUsageCounter(store)]
    allowed = [(await replicas[i % 2].count_request(shared, T0)).allowed for i in range(8)]
    assert allowed.count(True) == 4


async def test_listing_reads_every_keys_use_in_one_query() -> None:
    store = FakeUsageStore()
    counter = LeasedUsageCounter(store)
    keys = [key(per_minute=10) for _ in range(3)]
    await counter.count_request(keys[0], T0)
    usage = await counter.usage_of_keys(keys, T0)
    assert [usage[k.id].windows[0].used for k in keys] == [1, 0, 0]

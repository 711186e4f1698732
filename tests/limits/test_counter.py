"""The sliding window that both counters promise, in memory and in Redis, on the same test clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from redis.asyncio import Redis

from tests.support import FakeClock
from wschat.limits.counter import HitCounter, MemoryCounter, Recent
from wschat.limits.redis_counter import RedisCounter, connect

LIMIT = 3
WINDOW = 60.0
KEY_SECRET = b"k" * 32
IP = "ip:192.0.2.1"

#: A counter of LIMIT hits per WINDOW under a name; the Redis ones share one server.
MakeCounter = Callable[[str], HitCounter]


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = connect(redis_url)
    yield client
    await client.aclose()


@pytest.fixture(params=["memory", "redis"])
def make_counter(request: pytest.FixtureRequest, clock: FakeClock) -> MakeCounter:
    if request.param == "memory":
        return lambda name: MemoryCounter(LIMIT, WINDOW, clock)
    client: Redis = request.getfixturevalue("redis_client")
    return lambda name: RedisCounter(client, name, LIMIT, WINDOW, clock, key_secret=KEY_SECRET)


async def _hit(counter: HitCounter, key: str, times: int) -> None:
    for _ in range(times):
        await counter.hit(key)


async def test_counter_limits_a_key_after_limit_hits_within_the_window(make_counter: MakeCounter) -> None:
    counter = make_counter("login")
    await _hit(counter, IP, LIMIT - 1)
    assert not await counter.is_limited(IP)
    await counter.hit(IP)
    assert await counter.is_limited(IP)
    await _hit(counter, IP, 5)  # hits past the limit keep it limited
    assert await counter.is_limited(IP)


async def test_counter_window_slides(make_counter: MakeCounter, clock: FakeClock) -> None:
    counter = make_counter("login")
    await _hit(counter, IP, LIMIT - 1)
    clock.advance(seconds=30)
    await counter.hit(IP)
    assert await counter.is_limited(IP)
    clock.advance(seconds=29.999)
    assert await counter.is_limited(IP)
    clock.advance(seconds=0.001)  # the first hits are exactly one window old: gone
    assert not await counter.is_limited(IP)
    await _hit(counter, IP, LIMIT - 1)
    assert await counter.is_limited(IP)  # with the hit from 30 s ago
    clock.advance(seconds=30)
    assert not await counter.is_limited(IP)


async def test_counter_reset_forgets_only_that_key(make_counter: MakeCounter) -> None:
    counter = make_counter("login")
    await _hit(counter, "account:acme:anna", LIMIT)
    await _hit(counter, IP, LIMIT)
    await counter.reset("account:acme:anna")
    assert not await counter.is_limited("account:acme:anna")
    assert await counter.is_limited(IP)
    await _hit(counter, "account:acme:anna", LIMIT - 1)
    assert not await counter.is_limited("account:acme:anna")
    await counter.reset("account:acme:nobody")  # an unknown key is no error


async def test_counter_keys_and_names_do_not_mix(make_counter: MakeCounter) -> None:
    login, visitors = make_counter("login"), make_counter("new-visitors")
    await _hit(login, IP, LIMIT)
    await _hit(visitors, IP, LIMIT - 1)
    await _hit(login, "ip:192.0.2.10", LIMIT - 1)
    assert await login.is_limited(IP)
    assert not await visitors.is_limited(IP)
    assert not await login.is_limited("ip:192.0.2.10")
    assert not await login.is_limited("ip:192.0.2")
    await login.reset(IP)
    await visitors.hit(IP)
    assert await visitors.is_limited(IP)


async def test_memory_counter_holds_at_most_max_keys(clock: FakeClock) -> None:
    """A flood of distinct keys: expired keys go first, then the oldest half; recent keys stay counted."""
    counter = MemoryCounter(1, WINDOW, clock, max_keys=4)
    await _hit(counter, "ip:old", 1)
    clock.advance(seconds=WINDOW + 1)
    for n in range(3):
        await counter.hit(f"ip:{n}")
    await counter.hit("ip:3")  # four held, one expired: only that one is forgotten
    assert [await counter.is_limited(f"ip:{n}") for n in range(4)] == [True] * 4
    await counter.hit("ip:4")  # four held, none expired: the oldest two are forgotten
    assert [await counter.is_limited(f"ip:{n}") for n in range(5)] == [False, False, True, True, True]


async def test_counter_recent_counts_the_window_and_names_the_newest_hit(
    make_counter: MakeCounter, clock: FakeClock
) -> None:
    """What the growing login delay reads: how many hits, and when the newest was."""
    counter = make_counter("login")
    assert await counter.recent(IP) == Recent(0, None)
    await counter.hit(IP)
    clock.advance(seconds=10)
    await counter.hit(IP)
    recent = await counter.recent(IP)
    assert recent.count == 2
    assert recent.newest == pytest.approx(clock().timestamp(), abs=0.002)
    await _hit(counter, IP, 5)
    assert (await counter.recent(IP)).count == LIMIT  # no more than the counter holds
    clock.advance(seconds=WINDOW)
    assert await counter.recent(IP) == Recent(0, None)

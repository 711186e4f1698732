"""The Redis counter: shared by processes, holding no more than the window, failing open without Redis."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import socket
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tests.redis_support import free_port, running_redis
from tests.support import FakeClock
from wschat.limits.redis_counter import RETRY_AFTER, TIMEOUT, RedisCounter, connect

LIMIT = 3
IP = "ip:192.0.2.1"
KEY_SECRET = b"k" * 32
#: The key of IP in Redis: a keyed hash, never the address.
IP_KEY = "wschat:limit:login:" + hmac.new(KEY_SECRET, IP.encode(), hashlib.sha256).hexdigest()[:32]
LOGGER = "wschat.limits.redis_counter"


@pytest.fixture
async def clients(redis_url: str) -> AsyncIterator[list[Redis]]:
    """Two clients of one Redis, as two server processes would have."""
    opened = [connect(redis_url), connect(redis_url)]
    yield opened
    for client in opened:
        await client.aclose()


@pytest.fixture
async def unreachable() -> AsyncIterator[Redis]:
    client = connect(f"redis://127.0.0.1:{free_port()}/0")
    yield client
    await client.aclose()


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


async def test_redis_counter_is_shared_by_processes(clients: list[Redis], clock: FakeClock) -> None:
    a, b = (RedisCounter(client, "login", LIMIT, 60, clock, key_secret=KEY_SECRET) for client in clients)
    await a.hit(IP)
    await b.hit(IP)
    assert not await a.is_limited(IP)
    await a.hit(IP)
    assert await b.is_limited(IP)
    assert await a.is_limited(IP)
    await b.reset(IP)
    assert not await a.is_limited(IP)


async def test_redis_counter_holds_only_the_last_hits_of_one_window(
    clients: list[Redis], clock: FakeClock
) -> None:
    client = clients[0]
    counter = RedisCounter(client, "login", LIMIT, 60, clock, key_secret=KEY_SECRET)
    for _ in range(LIMIT + 5):
        await counter.hit(IP)
        clock.advance(seconds=1)
    assert await client.keys("*") == [IP_KEY.encode()]
    members = await client.zrange(IP_KEY, 0, -1)
    assert len(members) == LIMIT
    assert not any(b"192.0.2" in member for member in members)
    assert 0 < await client.pttl(IP_KEY) <= 60_000
    await counter.reset(IP)
    assert await client.keys("*") == []


async def test_redis_counter_fails_open_and_warns_once_a_minute(
    unreachable: Redis, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, LOGGER)
    counter = RedisCounter(unreachable, "login", LIMIT, 60, clock, key_secret=KEY_SECRET)
    assert not await counter.is_limited(IP)
    for _ in range(LIMIT):
        await counter.hit(IP)
    await counter.reset("account:acme:anna")
    # Without Redis this process still counts on its own.
    assert await counter.is_limited(IP)
    assert len(_warnings(caplog)) == 1
    assert "'login'" in _warnings(caplog)[0]
    assert "since the last warning" not in _warnings(caplog)[0]
    assert "192.0.2.1" not in caplog.text
    clock.advance(seconds=RETRY_AFTER.total_seconds())  # Redis is tried again, and fails again: no warning
    assert await counter.is_limited(IP)
    assert len(_warnings(caplog)) == 1
    clock.advance(seconds=61 - RETRY_AFTER.total_seconds())
    assert not await counter.is_limited(IP)
    assert len(_warnings(caplog)) == 2
    assert "(7 counts and checks since the last warning)" in _warnings(caplog)[1]


async def test_redis_counter_fails_open_when_redis_hangs(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, LOGGER)
    with socket.socket() as silent:  # accepts connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        client = connect(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        try:
            counter = RedisCounter(client, "login", LIMIT, 60, clock, key_secret=KEY_SECRET)
            loop = asyncio.get_running_loop()
            started = loop.time()
            async with asyncio.timeout(10 * TIMEOUT):
                assert not await counter.is_limited(IP)
                await counter.hit(IP)  # Redis is left alone after the timeout: no second wait
            assert loop.time() - started < 2 * TIMEOUT  # one attempt, then this process counts alone
        finally:
            await client.aclose()
    assert len(_warnings(caplog)) == 1
    assert "Timeout" in _warnings(caplog)[0]


async def test_redis_counter_shares_again_once_redis_answers(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, LOGGER)
    port = free_port()
    client = connect(f"redis://127.0.0.1:{port}/0")
    try:
        counter = RedisCounter(client, "login", LIMIT, 60, clock, key_secret=KEY_SECRET)
        await counter.hit(IP)
        assert len(_warnings(caplog)) == 1
        with running_redis(port):
            await counter.hit(IP)  # within RETRY_AFTER: not even tried
            assert await client.keys("*") == []
            clock.advance(seconds=RETRY_AFTER.total_seconds())
            await counter.hit(IP)
            assert await client.zcard(IP_KEY) == 1
            assert "Redis answers again" in caplog.text
    finally:
        await client.aclose()

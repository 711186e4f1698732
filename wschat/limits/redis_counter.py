"""The hit counter that every process shares through Redis: one sorted set of hit times per key.

A key is stored as ``wschat:limit:<name>:<digest>``, where the digest is a keyed hash (HMAC-SHA256 under a
key derived from the server's secret key) of what the limit counts (an address, or a tenant and a login):
every process finds the same set, and Redis never holds a client's address or a login in the clear. Its
members are ``<milliseconds>-<random>``, scored by the time of the hit from the injected clock; only the
last ``limit`` hits are kept, and the set expires one window after its last hit, so nothing is held longer
than the window.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from wschat.clock import Clock
from wschat.limits.counter import MemoryCounter, Recent

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds one command may take: a sign-in waits for it, so a slow Redis must not hold sign-ins up.
TIMEOUT = 0.5
#: After a failure Redis is left alone this long: a dead Redis costs one timeout per period, not per request.
RETRY_AFTER = timedelta(seconds=5)
#: While Redis stays unreachable, one warning per this period, however many requests pass.
WARN_EVERY = timedelta(seconds=60)


def connect(url: str) -> Redis:
    """A client for the counters: short timeouts and no retry, so a failed command falls back at once (the
    pool replaces a connection Redis has closed before it hands it out)."""
    client: Redis = Redis.from_url(
        url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, retry=Retry(NoBackoff(), 0)
    )
    return client


class RedisCounter:
    """A :class:`~wschat.limits.counter.HitCounter` that holds across every process sharing one Redis.

    It fails open: while Redis does not answer (refused, timed out, any Redis error), each process counts on
    its own, in memory, as a single process would, and a warning is logged once a minute. Refusing every
    request instead would turn a Redis outage into an outage of every sign-in and every new chat, which is
    the very harm the limits exist to prevent; for that time an attacker gets at most one limit per process,
    and each guessed password still costs an argon2 hash.

    Checking and counting are two steps, so processes that check the same key at the same instant may let
    a few more requests through than ``limit``; the next check sees all of them.
    """

    def __init__(
        self, redis: Redis, name: str, limit: int, window: float, clock: Clock, *, key_secret: bytes
    ) -> None:
        self.name = name
        self._key_secret = key_secret
        self.limit = limit
        self.window = window
        self._redis = redis
        self._clock = clock
        self._local = MemoryCounter(limit, window, clock)
        self._outage = _Outage(name, clock)

    async def is_limited(self, key: str) -> bool:
        since = f"({self._cutoff()}"  # "(" excludes the bound: a hit exactly one window old has expired
        count = await self._shared(lambda: self._redis.zcount(self._key(key), since, "+inf"))
        if count is None:
            return await self._local.is_limited(key)
        return int(count) >= self.limit

    async def hit(self, key: str) -> None:
        if await self._shared(lambda: self._record(self._key(key))) is None:
            await self._local.hit(key)

    async def reset(self, key: str) -> None:
        await self._local.reset(key)
        await self._shared(lambda: self._redis.delete(self._key(key)))

    async def recent(self, key: str) -> Recent:
        found = await self._shared(lambda: self._newest(self._key(key)))
        if found is None:
            return await self._local.recent(key)
        return found

    async def _newest(self, name: str) -> Recent:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zcount(name, f"({self._cutoff()}", "+inf")
            pipe.zrange(name, -1, -1, withscores=True)
            count, newest = await pipe.execute()
        if not count or not newest:
            return Recent(0, None)
        return Recent(int(count), float(newest[0][1]) / 1000)

    async def _record(self, name: str) -> list[Any]:
        now = _ms(self._clock())
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(name, {f"{now}-{secrets.token_hex(4)}": now})
            pipe.zremrangebyscore(name, "-inf", self._cutoff())
            pipe.zremrangebyrank(name, 0, -(self.limit + 1))  # older hits cannot matter any more
            pipe.pexpire(name, round(self.window * 1000))
            results: list[Any] = await pipe.execute()
            return results

    async def _shared(self, command: Callable[[], Awaitable[T]]) -> T | None:
        """The command's result, or None when Redis is left alone or fails."""
        if self._outage.waiting():
            return None
        try:
            result = await command()
        except (RedisError, OSError) as e:
            self._outage.failed(e)
            return None
        self._outage.answered()
        return result

    def _key(self, key: str) -> str:
        digest = hmac.new(self._key_secret, key.encode(), hashlib.sha256).hexdigest()[:32]
        return f"wschat:limit:{self.name}:{digest}"

    def _cutoff(self) -> int:
        return _ms(self._clock()) - round(self.window * 1000)


class _Outage:
    """When Redis failed last, and the warnings about it: one a minute, not one a request."""

    def __init__(self, name: str, clock: Clock) -> None:
        self._name = name
        self._clock = clock
        self._retry_at: datetime | None = None
        self._next_warning: datetime | None = None
        self._unshared = 0  # counts and checks made in this process only since the last warning

    def waiting(self) -> bool:
        if self._retry_at is None or self._clock() >= self._retry_at:
            return False
        self._unshared += 1
        return True

    def failed(self, error: Exception) -> None:
        now = self._clock()
        self._retry_at = now + RETRY_AFTER
        self._unshared += 1
        if self._next_warning is not None and now < self._next_warning:
            return
        log.warning(
            "rate limit %r: Redis does not answer (%s: %s); counting in this process only until it does%s",
            self._name,
            type(error).__name__,
            error,
            f" ({self._unshared} counts and checks since the last warning)" if self._unshared > 1 else "",
        )
        self._next_warning = now + WARN_EVERY
        self._unshared = 0

    def answered(self) -> None:
        if self._retry_at is not None:
            log.info("rate limit %r: Redis answers again; counting across processes", self._name)
            self._retry_at = None


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)

"""The counter the services see, and its in-memory implementation for a single process."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Protocol

from wschat.clock import Clock


class HitCounter(Protocol):
    """A sliding window per key: limited once a key has ``limit`` hits within the last ``window`` seconds."""

    async def is_limited(self, key: str) -> bool:
        """True while ``key`` has had ``limit`` hits within the window."""

    async def hit(self, key: str) -> None:
        """Count one hit of ``key`` now."""

    async def reset(self, key: str) -> None:
        """Forget every hit of ``key``."""

    async def recent(self, key: str) -> Recent:
        """How many hits ``key`` had within the window (at most ``limit``), and when the newest was."""


@dataclass(frozen=True)
class Recent:
    count: int
    #: Seconds since the epoch of the newest hit within the window; None without one.
    newest: float | None


class SlidingWindows:
    """The hit times of each key within the last ``window`` seconds (times are the caller's, in seconds).

    Only the last ``limit`` hits of a key are kept: older ones cannot matter. With ``max_keys``, a key added
    when that many are held first forgets the keys whose hits all expired, then, in a flood of distinct
    keys, the oldest half.
    """

    def __init__(self, limit: int, window: float, *, max_keys: int | None = None) -> None:
        self.limit = limit
        self.window = window
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    def count(self, key: str, now: float) -> int:
        """How many hits ``key`` had within the window."""
        hits = self._hits.get(key)
        if hits is None:
            return 0
        self._expire(hits, now)
        if not hits:
            del self._hits[key]
        return len(hits)

    def add(self, key: str, now: float) -> None:
        if self._max_keys is not None and len(self._hits) >= self._max_keys:
            self._prune(now, self._max_keys)
        hits = self._hits.setdefault(key, deque())
        hits.append(now)
        while len(hits) > self.limit:
            hits.popleft()

    def newest(self, key: str) -> float | None:
        """The time of the newest hit of ``key`` (call :meth:`count` first to expire old ones)."""
        hits = self._hits.get(key)
        return hits[-1] if hits else None

    def forget(self, key: str) -> None:
        self._hits.pop(key, None)

    def _expire(self, hits: deque[float], now: float) -> None:
        cutoff = now - self.window
        while hits and hits[0] <= cutoff:
            hits.popleft()

    def _prune(self, now: float, max_keys: int) -> None:
        for key in list(self._hits):
            self._expire(self._hits[key], now)
            if not self._hits[key]:
                del self._hits[key]
        if len(self._hits) >= max_keys:  # a flood of distinct keys: forget the oldest half
            for key in list(self._hits)[: max_keys // 2]:
                del self._hits[key]


class MemoryCounter:
    """A :class:`HitCounter` in this process's memory: exact for one process, at most ``max_keys`` keys."""

    def __init__(self, limit: int, window: float, clock: Clock, *, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._windows = SlidingWindows(limit, window, max_keys=max_keys)

    async def is_limited(self, key: str) -> bool:
        return self._windows.count(key, self._now()) >= self.limit

    async def hit(self, key: str) -> None:
        self._windows.add(key, self._now())

    async def reset(self, key: str) -> None:
        self._windows.forget(key)

    async def recent(self, key: str) -> Recent:
        count = self._windows.count(key, self._now())
        return Recent(count, self._windows.newest(key))

    def _now(self) -> float:
        return self._clock().timestamp()

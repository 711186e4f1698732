"""The counter the services see, and its in-memory implementation for a single process."""

from __future__ import annotations

from collections import deque
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


class MemoryCounter:
    """A :class:`HitCounter` in this process's memory: exact for one process, at most ``max_keys`` keys."""

    def __init__(self, limit: int, window: float, clock: Clock, *, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    async def is_limited(self, key: str) -> bool:
        hits = self._hits.get(key)
        if hits is None:
            return False
        self._expire(hits)
        if not hits:
            del self._hits[key]
            return False
        return len(hits) >= self.limit

    async def hit(self, key: str) -> None:
        if len(self._hits) >= self._max_keys:
            self._prune()
        hits = self._hits.setdefault(key, deque())
        hits.append(self._now())
        while len(hits) > self.limit:  # older entries cannot matter any more
            hits.popleft()

    async def reset(self, key: str) -> None:
        self._hits.pop(key, None)

    def _now(self) -> float:
        return self._clock().timestamp()

    def _expire(self, hits: deque[float]) -> None:
        cutoff = self._now() - self.window
        while hits and hits[0] <= cutoff:
            hits.popleft()

    def _prune(self) -> None:
        for key in list(self._hits):
            self._expire(self._hits[key])
            if not self._hits[key]:
                del self._hits[key]
        if len(self._hits) >= self._max_keys:  # a flood of distinct keys: forget the oldest half
            for key in list(self._hits)[: self._max_keys // 2]:
                del self._hits[key]

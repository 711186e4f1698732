"""A sliding-window counter of failed attempts, per key, in this process's memory."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable

from wschat.clock import Clock


class FailureLimiter:
    """At most ``limit`` failures per ``window`` seconds for one key; memory bounded by ``max_keys``."""

    def __init__(self, limit: int, window: float, clock: Clock, *, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[Hashable, deque[float]] = {}

    def is_limited(self, key: Hashable) -> bool:
        hits = self._hits.get(key)
        if hits is None:
            return False
        self._expire(hits)
        if not hits:
            del self._hits[key]
            return False
        return len(hits) >= self.limit

    def record_failure(self, key: Hashable) -> None:
        if len(self._hits) >= self._max_keys:
            self._prune()
        hits = self._hits.setdefault(key, deque())
        hits.append(self._now())
        while len(hits) > self.limit:  # older entries cannot matter any more
            hits.popleft()

    def reset(self, key: Hashable) -> None:
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

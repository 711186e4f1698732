"""Queue depths for the metrics: each queue (the outbox, the webhooks' deliveries) registers a callback
that counts what it holds per state, and the figures are read again only once they are older than
:data:`QUEUE_TTL`: however many scrapers ask, the database answers one count per queue every few seconds.

A callback must be cheap by itself (a count through an index that holds only the queue, or a figure kept
in memory), never a scan of stored history. A failing one is logged and its queue left out of that scrape;
the rest of the metrics are still served.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from wschat.storage import DATABASE_ERRORS

log = logging.getLogger(__name__)

#: Seconds a queue's figures are served before its callback is asked again.
QUEUE_TTL = 5.0

#: Counts what a queue holds, by state (``{"queued": 3, "sending": 1}``).
Depth = Callable[[], Awaitable[Mapping[str, int]]]


class Queues(Collector):
    """``wschat_queue_depth{queue, state}``, from the figures of the last :meth:`refresh`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, ttl: float = QUEUE_TTL) -> None:
        self._clock = clock
        self._ttl = ttl
        self._depths: dict[str, Depth] = {}
        self._figures: dict[str, Mapping[str, int]] = {}
        self._read_at: dict[str, float] = {}
        self._lock = asyncio.Lock()

    def add(self, name: str, depth: Depth) -> None:
        self._depths[name] = depth
        self._figures.pop(name, None)
        self._read_at.pop(name, None)

    async def refresh(self) -> None:
        """Read again each queue whose figures are older than the TTL (one scrape at a time does)."""
        async with self._lock:
            for name, depth in list(self._depths.items()):
                if self._clock() - self._read_at.get(name, -self._ttl - 1) <= self._ttl:
                    continue
                try:
                    self._figures[name] = dict(await depth())
                except DATABASE_ERRORS as e:
                    log.warning("queue %s: its depth could not be read: %s", name, type(e).__name__)
                    self._figures.pop(name, None)
                self._read_at[name] = self._clock()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "wschat_queue_depth", "What a queue holds now, by state.", labels=["queue", "state"]
        )
        for name, figures in sorted(self._figures.items()):
            for state, count in sorted(figures.items()):
                family.add_metric([name, state], count)
        yield family

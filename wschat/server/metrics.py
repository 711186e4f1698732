"""Prometheus metrics of one server process: on ``GET /metrics`` of the main port when
``WSCHAT_METRICS_TOKEN`` is set, and on a listener of its own when ``WSCHAT_METRICS_ADDRESS`` is
(``wschat.server.metrics_listener``). docs/metrics.md lists every metric with its labels.

Each process is scraped on its own; ``wschat_node_info`` names the process (its ``node`` id, the one its
heartbeat and socket records carry), so several processes behind one name stay apart. Each app has its own
registry: several apps in one process (the tests) do not mix their figures. What is counted:

- ``wschat_socket_events_total{namespace, event, outcome}``: every client→server event, by its ack
  (``ok`` or the error code);
- ``wschat_socket_event_seconds{namespace}``: from the event's arrival to its ack;
- ``wschat_sockets{namespace}``: the sockets this process holds now;
- ``wschat_housekeeping_seconds{step}``: each housekeeping step's duration;
- ``wschat_store_seconds{store, operation}`` and ``wschat_store_errors_total{store, operation}``: every
  store call, when metrics are on (``wschat.storage.timed``; no wrapping at all when they are off);
- ``wschat_queue_depth{queue, state}``: what a queue holds (the outbox's mails, the webhooks' deliveries),
  read through each queue's callback at most every few seconds whoever scrapes (``wschat.server.queues``);
- the process's CPU, memory and open files (prometheus_client's process collector).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, Info, ProcessCollector, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from wschat import __version__
from wschat.config import Settings
from wschat.server.queues import Depth, Queues
from wschat.storage import Database
from wschat.storage.timed import Operation, timed_stores

#: Ack latency buckets, seconds: an event costs milliseconds; seconds mean the database is in trouble.
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
#: Store call buckets, seconds: a SQLite read takes tens of microseconds, a MongoDB round trip a millisecond.
STORE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def metrics_on(settings: Settings) -> bool:
    """Whether anyone can read the metrics: only then are the stores timed."""
    return settings.metrics_token is not None or settings.metrics_address is not None


def instrument(settings: Settings, metrics: Metrics, db: Database) -> None:
    """When metrics are on, every store call of the serving database is timed and the outbox's queue is
    and the webhooks' queues are exported; when they are off, the stores stay as the adapter built them."""
    if not metrics_on(settings):
        return
    db.stores = timed_stores(db.stores, metrics.store_operation)
    metrics.queue("outbox", db.stores.outbox.depth)
    metrics.queue("webhooks", db.stores.webhook_deliveries.depth)


class Metrics:
    def __init__(self, sockets: Callable[[], dict[str, int]]) -> None:
        self.registry = CollectorRegistry()
        self._event_series: dict[tuple[str, str, str], Counter] = {}
        self._ack_series: dict[str, Histogram] = {}
        self._events = Counter(
            "wschat_socket_events",
            "Client-to-server Socket.IO events, by their ack.",
            ["namespace", "event", "outcome"],
            registry=self.registry,
        )
        self._acks = Histogram(
            "wschat_socket_event_seconds",
            "From a client-to-server event's arrival to its ack.",
            ["namespace"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self._housekeeping = Histogram(
            "wschat_housekeeping_seconds",
            "Duration of each housekeeping step.",
            ["step"],
            registry=self.registry,
        )
        self._store = Histogram(
            "wschat_store_seconds",
            "Duration of each store call (a database round trip, or a few).",
            ["store", "operation"],
            buckets=STORE_BUCKETS,
            registry=self.registry,
        )
        self._store_errors = Counter(
            "wschat_store_errors",
            "Store calls the database driver failed.",
            ["store", "operation"],
            registry=self.registry,
        )
        self._node = Info("wschat_node", "The server process behind these figures.", registry=self.registry)
        self._queues = Queues()
        self.registry.register(_Sockets(sockets))
        self.registry.register(self._queues)
        ProcessCollector(registry=self.registry)

    def node(self, node_id: str) -> None:
        self._node.info({"node": node_id, "version": __version__})

    def event(self, namespace: str, event: str, outcome: str, seconds: float) -> None:
        # The labelled series are looked up once each (``labels()`` locks and builds its key on every call:
        # a few µs, per message).
        key = (namespace, event, outcome)
        counted = self._event_series.get(key)
        if counted is None:
            counted = self._event_series[key] = self._events.labels(namespace, event, outcome)
        counted.inc()
        timed = self._ack_series.get(namespace)
        if timed is None:
            timed = self._ack_series[namespace] = self._acks.labels(namespace)
        timed.observe(seconds)

    def housekeeping(self, step: str, seconds: float) -> None:
        self._housekeeping.labels(step).observe(seconds)

    def store_operation(self, store: str, operation: str) -> Operation:
        """Where the calls of one store method are recorded (wschat.storage.timed)."""
        return _StoreOperation(
            self._store.labels(store, operation), self._store_errors.labels(store, operation)
        )

    def queue(self, name: str, depth: Depth) -> None:
        """Export ``wschat_queue_depth{queue=name, state}`` from ``depth``: an async callable giving the
        count per state, which must be cheap (through an index, or kept); read at most every QUEUE_TTL s."""
        self._queues.add(name, depth)

    async def exposition(self) -> bytes:
        await self._queues.refresh()
        return generate_latest(self.registry)


class _StoreOperation:
    __slots__ = ("_errors", "_seconds")

    def __init__(self, seconds: Histogram, errors: Counter) -> None:
        self._seconds = seconds
        self._errors = errors

    def observe(self, seconds: float) -> None:
        self._seconds.observe(seconds)

    def failed(self) -> None:
        self._errors.inc()


class _Sockets(Collector):
    """The sockets held now, counted when scraped."""

    def __init__(self, count: Callable[[], dict[str, int]]) -> None:
        self._count = count

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("wschat_sockets", "Sockets this process holds.", labels=["namespace"])
        for namespace, count in sorted(self._count().items()):
            family.add_metric([namespace], count)
        yield family

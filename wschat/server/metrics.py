"""Prometheus metrics of one server process, on ``GET /metrics`` when ``WSCHAT_METRICS_TOKEN`` is set.

Each process is scraped on its own; ``wschat_node_info`` names the process (its ``node`` id, the one its
heartbeat and socket records carry), so several processes behind one name stay apart. Each app has its own
registry: several apps in one process (the tests) do not mix their figures. What is counted:

- ``wschat_socket_events_total{namespace, event, outcome}``: every client→server event, by its ack
  (``ok`` or the error code);
- ``wschat_socket_event_seconds{namespace}``: from the event's arrival to its ack;
- ``wschat_sockets{namespace}``: the sockets this process holds now;
- ``wschat_housekeeping_seconds{step}``: each housekeeping step's duration;
- the process's CPU, memory and open files (prometheus_client's process collector).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, Info, ProcessCollector, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

#: Ack latency buckets, seconds: an event costs milliseconds; seconds mean the database is in trouble.
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    def __init__(self, sockets: Callable[[], dict[str, int]]) -> None:
        self.registry = CollectorRegistry()
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
        self._node = Info("wschat_node", "The server process behind these figures.", registry=self.registry)
        self.registry.register(_Sockets(sockets))
        ProcessCollector(registry=self.registry)

    def node(self, node_id: str) -> None:
        self._node.info({"node": node_id})

    def event(self, namespace: str, event: str, outcome: str, seconds: float) -> None:
        self._events.labels(namespace, event, outcome).inc()
        self._acks.labels(namespace).observe(seconds)

    def housekeeping(self, step: str, seconds: float) -> None:
        self._housekeeping.labels(step).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _Sockets(Collector):
    """The sockets held now, counted when scraped."""

    def __init__(self, count: Callable[[], dict[str, int]]) -> None:
        self._count = count

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("wschat_sockets", "Sockets this process holds.", labels=["namespace"])
        for namespace, count in sorted(self._count().items()):
            family.add_metric([namespace], count)
        yield family
